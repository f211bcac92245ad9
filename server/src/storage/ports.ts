import type { Client } from '../clients/client.js';
import type { TokenRecord } from '../tokens/token.js';
import type { DeviceChallenge, Flow, FlowState, Rejection } from '../flows/flow.js';
import type { DeviceRequest } from '../oauth2/device/model.js';
import type { LeakReport } from '../tokens/leaks/report.js';

/*
 * What the domain needs from storage, one small interface per aggregate.
 * Not-found is `undefined`; operations that must happen once say whether
 * they won, and the caller chooses the protocol error.
 */

export interface ClientPage {
  readonly items: readonly Client[];
  /** Total matching the filters, for `X-Total-Count`. */
  readonly total: number;
  /** The last id of this page when more may follow. */
  readonly nextAfter: string | undefined;
}

export interface ClientQuery {
  readonly limit: number;
  /** Keyset pagination: ids strictly greater than this. */
  readonly after?: string | undefined;
  readonly name?: string | undefined;
  readonly owner?: string | undefined;
}

export interface ClientStore {
  /** `false` when the id is taken. */
  create(client: Client): Promise<boolean>;
  get(id: string): Promise<Client | undefined>;
  list(query: ClientQuery): Promise<ClientPage>;
  /** `false` when there is no such client. */
  replace(client: Client): Promise<boolean>;
  /** `false` when there is no such client. Its tokens and consents are revoked with it. */
  delete(id: string): Promise<boolean>;
  /** Sealed client secrets (client_secret_jwt), of clients with ids above `after`, in id order, at most `limit` clients. */
  listSealedSecrets(after: string, limit: number): Promise<SealedSecret[]>;
  /** Replaces one sealed secret only if it is still `expected` (compare-and-set): `false` when it changed meanwhile. */
  swapSealedSecret(clientId: string, column: SealedSecret['column'], expected: string, next: string): Promise<boolean>;
}

/** A client secret kept sealed (`sealed$…`, clients/secret.ts), for `tessera secrets rotate`. */
export interface SealedSecret {
  readonly clientId: string;
  readonly column: 'secret_hash' | 'previous_secret_hash';
  readonly sealed: string;
}

export interface StoredKey {
  readonly setId: string;
  readonly kid: string;
  readonly alg: string;
  readonly use: string;
  /** Public members only. */
  readonly publicJwk: Readonly<Record<string, unknown>>;
  /** The sealed private JWK (keys/seal.ts), or null for a public-only key. */
  readonly sealedPrivateJwk: string | null;
  readonly createdAt: number;
}

/** A stored private key's sealed form, for re-sealing (`tessera secrets rotate`). */
export interface SealedKey {
  /** Row reference: ascending in insertion order, stable while the row lives. */
  readonly ref: number;
  readonly setId: string;
  readonly kid: string;
  readonly sealed: string;
}

export interface KeyStore {
  /**
   * Creates the set with `firstKey` unless the set exists. Exactly one of any
   * number of concurrent callers, in any process, gets `true`.
   */
  ensureSet(firstKey: StoredKey): Promise<boolean>;
  /**
   * Adds `key` (a private signing key) unless its set already holds a private
   * `sig` key of the same alg. Exactly one of any number of concurrent callers,
   * in any process, gets `true`.
   */
  ensureKey(key: StoredKey): Promise<boolean>;
  /** Adds a key to its set, creating the set; `false` when the kid is taken in that set. */
  addKey(key: StoredKey): Promise<boolean>;
  /** Replaces every key of the set. */
  replaceSet(setId: string, keys: readonly StoredKey[]): Promise<void>;
  /** Inserts or replaces one key. */
  putKey(key: StoredKey): Promise<void>;
  /** Newest first. Empty when the set does not exist. */
  listSet(setId: string): Promise<StoredKey[]>;
  getKey(setId: string, kid: string): Promise<StoredKey | undefined>;
  /** Newest first, over several sets. */
  listSets(setIds: readonly string[]): Promise<StoredKey[]>;
  deleteSet(setId: string): Promise<boolean>;
  /** Deleting the last key of a set deletes the set. */
  deleteKey(setId: string, kid: string): Promise<boolean>;
  /** Up to `limit` keys that have a private part, with `ref` above `after`, in `ref` order (every set). */
  listSealed(after: number, limit: number): Promise<SealedKey[]>;
  /**
   * Replaces the sealed private part of the row `ref` only if it is still
   * `expected` (compare-and-set): `false` when the row changed or went meanwhile.
   */
  swapSealed(ref: number, expected: string, next: string): Promise<boolean>;
}

export interface ConsumeOptions {
  /** Refresh rotation: the family's earlier access tokens die with the old refresh token (as in Hydra). */
  readonly revokeFamilyAccessTokens?: boolean;
}

export interface TokenStore {
  /** All or nothing. */
  insert(records: readonly TokenRecord[]): Promise<void>;
  get(signature: string): Promise<TokenRecord | undefined>;
  /**
   * Marks a code or refresh token used and stores what it is exchanged for,
   * in one transaction. Of any number of concurrent callers exactly one gets
   * `true`; the others change nothing.
   */
  consume(signature: string, at: number, issued: readonly TokenRecord[], options?: ConsumeOptions): Promise<boolean>;
  /** Revokes every token of the family; the count of rows changed. */
  revokeFamily(familyId: string): Promise<number>;
  /** `false` when no such token. */
  revoke(signature: string): Promise<boolean>;
  /** Deletes (not revokes) every access token of the client; refresh tokens and codes stay. The count deleted. */
  deleteAccessTokens(clientId: string): Promise<number>;
}

/** A transition: the flow as it is afterwards (its `state` is the target), and new secrets' hashes. */
export interface FlowChange {
  readonly flow: Flow;
  readonly loginVerifier?: string;
  readonly consentChallenge?: string;
  readonly consentVerifier?: string;
}

export interface StoredFlow {
  readonly flow: Flow;
  /** Hash of the binding cookie of the browser that started it. */
  readonly browser: string;
  /** The login challenge, sealed (flows/challenge-seal.ts); null for flows stored before it was kept. */
  readonly sealedLoginChallenge: string | null;
}

/** How a new flow's login challenge is kept: its hash to look it up, and sealed to show it again. */
export interface StoredChallenge {
  readonly hash: string;
  readonly sealed: string;
}

export type FlowLookup = 'login_challenge' | 'login_verifier' | 'consent_challenge' | 'consent_verifier';

export interface FlowStore {
  create(flow: Flow, loginChallenge: StoredChallenge, browser: string): Promise<void>;
  find(by: FlowLookup, hash: string): Promise<StoredFlow | undefined>;
  /** Moves the flow from one of `from` to `change.flow.state`; `false` when it was not in `from` any more. */
  transition(from: readonly FlowState[], change: FlowChange): Promise<boolean>;
  /**
   * The last step, in one transaction: `consent_handled` → `done`, plus the
   * code and the consent record its family belongs to (every flow has one,
   * skipped consent or not). When the consent re-used a remembered one that
   * has been revoked since, the consent and the code are written revoked.
   * `false` (and nothing written) when another request got there first.
   */
  finish(id: string, tokens: readonly TokenRecord[], consent: ConsentRecord): Promise<boolean>;
}

/** A remembered login (Hydra's authentication session). */
export interface LoginSession {
  /** The public `sid`. */
  readonly id: string;
  readonly subject: string;
  readonly authenticatedAt: number;
  readonly expiresAt: number;
  /** How the user authenticated (OIDC Core §2): carried into skipped logins. */
  readonly acr: string;
  readonly amr: readonly string[];
}

export interface LoginSessionStore {
  /** Inserts, or replaces the session with this id (a new login in the same browser). */
  save(session: LoginSession, secretHash: string): Promise<void>;
  bySecret(secretHash: string): Promise<LoginSession | undefined>;
  /** Ends sessions by sid or by subject; the sids ended. */
  delete(filter: { readonly id: string } | { readonly subject: string }): Promise<string[]>;
}

/**
 * A flow's consent (Hydra's handled consent request): one per finished flow,
 * whether the consent app decided or the decision was skipped, and the
 * family id of every token the flow yields. Revocation, logout, client
 * deletion and the sessions list all start from these rows. Remembered
 * ones let later flows skip the consent app.
 */
export interface ConsentRecord {
  /** = the flow id (`consent_request_id`) = its tokens' family id. */
  readonly id: string;
  /**
   * Why the consent app did not decide: an earlier remembered consent was
   * re-used, or the client has `skip_consent`. Absent when the user decided.
   */
  readonly skip?: 'remembered' | 'client' | undefined;
  /** With skip 'remembered': the consent re-used. Revoking that one revokes this one. */
  readonly originId?: string | undefined;
  readonly subject: string;
  readonly clientId: string;
  readonly loginSessionId: string;
  readonly grantScope: readonly string[];
  readonly grantAudience: readonly string[];
  readonly accessTokenClaims: Readonly<Record<string, unknown>>;
  readonly idTokenClaims: Readonly<Record<string, unknown>>;
  /** What the request asked for, and how the user logged in (for listing consent sessions). */
  readonly requestedScope: readonly string[];
  readonly requestedAudience: readonly string[];
  readonly acr: string;
  readonly amr: readonly string[];
  readonly context?: unknown;
  readonly remember: boolean;
  /** Epoch ms; null = forever. */
  readonly rememberUntil: number | null;
  readonly handledAt: number;
}

/** Which consents to revoke: one (with the flows that re-used it), a subject's for one client, or all of a subject's. */
export type ConsentFilter = { readonly consentId: string } | { readonly subject: string; readonly clientId?: string | undefined };

export interface ConsentStore {
  /** The newest remembered, unrevoked, unexpired consent of this subject for this client, not itself a re-use of an earlier one. */
  latestRemembered(subject: string, clientId: string, now: number): Promise<ConsentRecord | undefined>;
  /**
   * A subject's unrevoked consents, newest first, paginated by offset. As in
   * Hydra, flows that re-used a remembered consent are not listed (the
   * consent they re-used is, and revoking it reaches them).
   */
  list(query: { subject: string; loginSessionId?: string | undefined; limit: number; offset: number }): Promise<{ items: ConsentRecord[]; total: number }>;
  /**
   * Revokes the consents and, in the same transaction, every token issued
   * under them (a consent's id is its tokens' family id). By id, the flows
   * that re-used that consent go with it. The count revoked.
   */
  revoke(filter: ConsentFilter): Promise<number>;
}

/** An RP-initiated logout on its way through the logout app. */
export interface LogoutRequest {
  readonly id: string;
  readonly status: 'requested' | 'handled' | 'done';
  readonly subject: string;
  /** The login session to end. */
  readonly sid: string;
  /** The client named by id_token_hint or client_id, if any. */
  readonly clientId?: string | undefined;
  /** Validated against the client's post_logout_redirect_uris. */
  readonly postLogoutRedirectUri?: string | undefined;
  /** The RP's `state`, returned with the post-logout redirect. */
  readonly state?: string | undefined;
  readonly rpInitiated: boolean;
  readonly requestUrl: string;
  readonly requestedAt: number;
  readonly expiresAt: number;
}

export interface LogoutStore {
  create(request: LogoutRequest, challengeHash: string, browserHash: string): Promise<void>;
  find(by: 'challenge' | 'verifier', hash: string): Promise<{ request: LogoutRequest; browser: string } | undefined>;
  /** requested → handled with a verifier (again allowed while handled); `false` once done. */
  accept(id: string, verifierHash: string): Promise<boolean>;
  /** handled → done, once. */
  finish(id: string): Promise<boolean>;
  /** Deletes a request the user declined. */
  delete(id: string): Promise<void>;
}

/** Which clients took part in a login session, for front- and back-channel logout: every flow of it has a consent row, skipped or not. */
export interface SessionClients {
  clientsOfSessions(sids: readonly string[]): Promise<Array<{ sid: string; clientId: string; subject: string }>>;
}

/**
 * Device authorization requests and their browser challenges (RFC 8628,
 * oauth2/device/ and flows/device/). Once-only steps say whether they won.
 */
export interface DeviceStore {
  /** `false` (nothing written) when the user code is taken: the caller mints another. */
  create(request: DeviceRequest): Promise<boolean>;
  /** By the device code's lookup key. */
  byDeviceCode(signature: string): Promise<DeviceRequest | undefined>;
  get(id: string): Promise<DeviceRequest | undefined>;
  /**
   * Records a poll (RFC 8628 §3.5). `true` when it came at least the
   * request's interval after the previous one; else the interval grows by
   * 5 s and `false` (slow_down). Right under concurrent polls on any process.
   */
  poll(id: string, now: number): Promise<boolean>;
  /** claimed → denied with the app's rejection; `false` when it was not claimed. */
  deny(id: string, rejection: Rejection): Promise<boolean>;
  /** pending or claimed → denied (its device code was reported leaked, issue 18); `false` when it was neither. */
  revoke(id: string, rejection: Rejection): Promise<boolean>;
  createChallenge(challenge: DeviceChallenge): Promise<void>;
  findChallenge(by: 'challenge' | 'verifier', hash: string): Promise<DeviceChallenge | undefined>;
  /** Counts a wrong user code against the challenge. */
  recordFailure(challengeId: string): Promise<void>;
  /** Wrong user codes entered through challenges of this network since `since`. */
  failuresSince(network: string, since: number): Promise<number>;
  /**
   * The pending, unexpired request whose user code is one of `userCodes` (one
   * per system secret) becomes claimed, and the challenge (device_requested,
   * unexpired) becomes device_handled with the verifier: each once, across
   * processes. The request claimed, or undefined with nothing changed.
   */
  claim(challengeId: string, userCodes: readonly string[], verifierHash: string, now: number): Promise<DeviceRequest | undefined>;
  /** device_handled → done, once. */
  finishChallenge(challengeId: string): Promise<boolean>;
}

/** A pushed authorization request (RFC 9126): the parameters /oauth2/auth will run from. */
export interface PushedRequest {
  /** SHA-256 (hex) of the request_uri's random part. */
  readonly id: string;
  readonly clientId: string;
  readonly params: Readonly<Record<string, string>>;
  readonly expiresAt: number;
}

export interface PushedRequestStore {
  create(request: PushedRequest): Promise<void>;
  /**
   * The request, marked used, when it exists, belongs to `clientId`, has not
   * expired and was not taken before; else undefined with nothing changed.
   * Once only, on any number of processes (a conditional UPDATE).
   */
  take(id: string, clientId: string, now: number): Promise<PushedRequest | undefined>;
}

/** What the janitor may delete; each call removes at most `batchSize` rows and says how many. */
export interface JanitorStore {
  /** Tokens expired before `cutoff`, and revoked ones issued before it. */
  deleteTokens(cutoff: number, batchSize: number): Promise<number>;
  /** Flows (login/consent requests) that expired before `cutoff`, whatever their state. */
  deleteFlows(cutoff: number, batchSize: number): Promise<number>;
  /** Login sessions that expired before `cutoff`. */
  deleteLoginSessions(cutoff: number, batchSize: number): Promise<number>;
  /** Revoked consents handled before `cutoff`. */
  deleteConsents(cutoff: number, batchSize: number): Promise<number>;
  /** Device requests and device challenges that expired before `cutoff` (their grants live on as tokens). */
  deleteDeviceRequests(cutoff: number, batchSize: number): Promise<number>;
  /** Pushed authorization requests that expired before `cutoff`, taken or not. */
  deletePushedRequests(cutoff: number, batchSize: number): Promise<number>;
}

/** Leak reports (issue 18), newest first. */
export interface LeakReportStore {
  insert(reports: readonly LeakReport[]): Promise<void>;
  /** Up to `limit` reports older than the report `before` (an id), optionally of one client. */
  list(query: { readonly limit: number; readonly before?: string | undefined; readonly clientId?: string | undefined }): Promise<LeakReport[]>;
}

/** JWT ids seen once (client assertions, jwt-bearer grants): RFC 7523 §3 item 7. */
export interface JtiStore {
  /**
   * Records `key` as used until `expiresAt`. `false` when it is recorded and
   * not expired at `now` (a replay); of concurrent callers, in any process,
   * exactly one gets `true`.
   */
  use(key: string, expiresAt: number, now: number): Promise<boolean>;
}

/** A jwt-bearer trust relationship (Hydra's trust.Grant). */
export interface TrustedIssuer {
  readonly id: string;
  readonly issuer: string;
  /** '' when `allowAnySubject`. */
  readonly subject: string;
  readonly allowAnySubject: boolean;
  readonly scope: readonly string[];
  readonly keySet: string;
  readonly keyId: string;
  readonly publicJwk: Readonly<Record<string, unknown>>;
  readonly expiresAt: number;
  readonly createdAt: number;
}

export interface TrustStore {
  /** `false` when the issuer already trusts a key of that id for that subject. */
  create(grant: TrustedIssuer): Promise<boolean>;
  get(id: string): Promise<TrustedIssuer | undefined>;
  /** Ordered by id; `issuer` filters. */
  list(query: { readonly limit: number; readonly after?: string | undefined; readonly issuer?: string | undefined }): Promise<TrustedIssuer[]>;
  delete(id: string): Promise<boolean>;
  /** The unexpired grants of `issuer` whose key is `keyId`, for `subject` or any subject. */
  find(issuer: string, subject: string, keyId: string | undefined, now: number): Promise<TrustedIssuer[]>;
}

/**
 * The subjects login apps forced (`force_subject_identifier`) for pairwise
 * clients, Hydra's obfuscated authentication sessions: an ID token's forced
 * `sub` cannot be computed back to its user, so an id_token_hint naming it is
 * matched through these.
 */
export interface ForcedSubjectStore {
  /** Records, or replaces, the subject the user `subject` was given at this client. */
  save(clientId: string, subject: string, forced: string): Promise<void>;
  /** The one user given `forced` at this client; undefined for none, or for several. */
  subjectOf(clientId: string, forced: string): Promise<string | undefined>;
}

export interface Storage {
  readonly dialect: 'sqlite' | 'postgres';
  readonly jtis: JtiStore;
  readonly trust: TrustStore;
  readonly clients: ClientStore;
  readonly keys: KeyStore;
  readonly tokens: TokenStore;
  readonly flows: FlowStore;
  readonly loginSessions: LoginSessionStore;
  readonly consents: ConsentStore;
  readonly forcedSubjects: ForcedSubjectStore;
  readonly janitor: JanitorStore;
  readonly logouts: LogoutStore;
  readonly sessionClients: SessionClients;
  readonly devices: DeviceStore;
  readonly pushedRequests: PushedRequestStore;
  readonly leakReports: LeakReportStore;
  /** Throws when the database does not answer within `timeoutMs`. */
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}
