import type { Client } from '../../clients/client.js';
import type { ConsentRecord, FlowChange, LoginSession, StoredFlow, StoredKey } from '../ports.js';
import type { Flow, FlowState } from '../../flows/flow.js';
import type { TokenRecord } from '../../tokens/token.js';
import type { TokenKind } from '../../tokens/hmac.js';

/*
 * Row ↔ domain. PostgreSQL returns BIGINT as a string (it may not fit a JS
 * number; epoch milliseconds always do), SQLite as a number.
 */

export interface ClientRow {
  id: string;
  client_name: string;
  owner: string;
  secret_hash: string | null;
  previous_secret_hash?: string | null;
  previous_secret_expires_at?: number | string | null;
  registration_token_hash?: string | null;
  document: string;
  created_at: number | string;
  updated_at: number | string;
}

export function clientToRow(client: Client): ClientRow {
  const { client_id, client_name, owner, secret_hash, previous_secret_hash, previous_secret_expires_at, registration_token_hash, created_at, updated_at, ...rest } = client;
  return {
    id: client_id,
    client_name,
    owner,
    secret_hash,
    previous_secret_hash: previous_secret_hash ?? null,
    previous_secret_expires_at: previous_secret_expires_at ?? null,
    registration_token_hash: registration_token_hash ?? null,
    document: JSON.stringify(rest),
    created_at,
    updated_at,
  };
}

export function rowToClient(row: ClientRow): Client {
  type Stored = Omit<Client, 'client_id' | 'client_name' | 'owner' | 'secret_hash' | 'previous_secret_hash' | 'previous_secret_expires_at' | 'registration_token_hash' | 'created_at' | 'updated_at' | 'id_token_signed_response_alg'>;
  const rest = JSON.parse(row.document) as Stored & { id_token_signed_response_alg?: string };
  return {
    ...rest,
    // Clients stored before the field existed: the OIDC Registration §2 default.
    id_token_signed_response_alg: rest.id_token_signed_response_alg ?? 'RS256',
    client_id: row.id,
    client_name: row.client_name,
    owner: row.owner,
    secret_hash: row.secret_hash,
    // Present only when set, so a client without them reads back as it was written.
    ...(row.previous_secret_hash ? { previous_secret_hash: row.previous_secret_hash, previous_secret_expires_at: Number(row.previous_secret_expires_at ?? 0) } : {}),
    ...(row.registration_token_hash ? { registration_token_hash: row.registration_token_hash } : {}),
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
  };
}

export interface KeyRow {
  set_id: string;
  kid: string;
  alg: string;
  use: string;
  public_jwk: string;
  private_jwk: string | null;
  created_at: number | string;
}

export function keyToRow(key: StoredKey): KeyRow {
  return {
    set_id: key.setId,
    kid: key.kid,
    alg: key.alg,
    use: key.use,
    public_jwk: JSON.stringify(key.publicJwk),
    private_jwk: key.sealedPrivateJwk,
    created_at: key.createdAt,
  };
}

export function rowToKey(row: KeyRow): StoredKey {
  return {
    setId: row.set_id,
    kid: row.kid,
    alg: row.alg,
    use: row.use,
    publicJwk: JSON.parse(row.public_jwk) as Record<string, unknown>,
    sealedPrivateJwk: row.private_jwk,
    createdAt: Number(row.created_at),
  };
}

export interface TokenRow {
  signature: string;
  kind: string;
  family_id: string;
  client_id: string;
  subject: string;
  scope: string;
  audience: string;
  session: string;
  issued_at: number | string;
  expires_at: number | string;
  used_at: number | string | null;
  /** SQLite answers 0/1. */
  revoked: boolean | number;
}

export function tokenToRow(t: TokenRecord): TokenRow {
  return {
    signature: t.signature,
    kind: t.kind,
    family_id: t.familyId,
    client_id: t.clientId,
    subject: t.subject,
    scope: t.scope.join(' '),
    audience: JSON.stringify(t.audience),
    session: JSON.stringify(t.session),
    issued_at: t.issuedAt,
    expires_at: t.expiresAt,
    used_at: t.usedAt,
    revoked: t.revoked,
  };
}

export function rowToToken(row: TokenRow): TokenRecord {
  return {
    signature: row.signature,
    kind: row.kind as TokenKind,
    familyId: row.family_id,
    clientId: row.client_id,
    subject: row.subject,
    scope: row.scope === '' ? [] : row.scope.split(' '),
    audience: JSON.parse(row.audience) as string[],
    session: JSON.parse(row.session) as TokenRecord['session'],
    issuedAt: Number(row.issued_at),
    expiresAt: Number(row.expires_at),
    usedAt: row.used_at === null ? null : Number(row.used_at),
    revoked: Boolean(row.revoked),
  };
}

export interface FlowRow {
  id: string;
  state: string;
  client_id: string;
  login_challenge: string;
  login_verifier: string | null;
  consent_challenge: string | null;
  consent_verifier: string | null;
  browser: string;
  request: string;
  login: string | null;
  consent: string | null;
  /** The login challenge, sealed; null for flows stored before it was kept. */
  login_challenge_sealed: string | null;
  requested_at: number | string;
  expires_at: number | string;
}

/** The columns a flow's own data fills; the secrets' hashes are written separately. */
export function flowColumns(
  flow: Flow,
): Omit<FlowRow, 'login_challenge' | 'login_challenge_sealed' | 'login_verifier' | 'consent_challenge' | 'consent_verifier' | 'browser'> {
  const { id, state, clientId, login, authenticatedAt, consentSkip, consentOrigin, consent, requestedAt, expiresAt, ...request } = flow;
  return {
    id,
    state,
    client_id: clientId,
    request: JSON.stringify(request),
    login: login === undefined ? null : JSON.stringify({ login, authenticatedAt }),
    consent: consentSkip === undefined && consent === undefined ? null : JSON.stringify({ consentSkip, consentOrigin, consent }),
    requested_at: requestedAt,
    expires_at: expiresAt,
  };
}

/** The columns a transition writes: the flow's own, plus any secret minted with the step. */
export function transitionColumns(change: FlowChange): Partial<FlowRow> {
  const update: Partial<FlowRow> = { ...flowColumns(change.flow) };
  if (change.loginVerifier !== undefined) update.login_verifier = change.loginVerifier;
  if (change.consentChallenge !== undefined) update.consent_challenge = change.consentChallenge;
  if (change.consentVerifier !== undefined) update.consent_verifier = change.consentVerifier;
  return update;
}

/** A stored flow as the flow store answers it. */
export function rowToStoredFlow(row: FlowRow): StoredFlow {
  return { flow: rowToFlow(row), browser: row.browser, sealedLoginChallenge: row.login_challenge_sealed };
}

export function rowToFlow(row: FlowRow): Flow {
  const request = JSON.parse(row.request) as Omit<Flow, 'id' | 'state' | 'clientId' | 'requestedAt' | 'expiresAt'>;
  const login = row.login ? (JSON.parse(row.login) as Pick<Flow, 'login' | 'authenticatedAt'>) : {};
  const consent = row.consent ? (JSON.parse(row.consent) as Pick<Flow, 'consentSkip' | 'consentOrigin' | 'consent'>) : {};
  return {
    ...request,
    ...login,
    ...consent,
    id: row.id,
    state: row.state as FlowState,
    clientId: row.client_id,
    requestedAt: Number(row.requested_at),
    expiresAt: Number(row.expires_at),
  };
}

export interface ConsentRow {
  id: string;
  subject: string;
  client_id: string;
  login_session_id: string | null;
  grant: string;
  remember: boolean | number;
  remember_until: number | string | null;
  handled_at: number | string;
  revoked: boolean | number;
  skip: string | null;
  origin_id: string | null;
}

export function consentToRow(c: ConsentRecord): ConsentRow {
  return {
    id: c.id,
    subject: c.subject,
    client_id: c.clientId,
    login_session_id: c.loginSessionId,
    grant: JSON.stringify({
      grantScope: c.grantScope,
      grantAudience: c.grantAudience,
      accessTokenClaims: c.accessTokenClaims,
      idTokenClaims: c.idTokenClaims,
      requestedScope: c.requestedScope,
      requestedAudience: c.requestedAudience,
      acr: c.acr,
      amr: c.amr,
      context: c.context,
    }),
    remember: c.remember,
    remember_until: c.rememberUntil,
    handled_at: c.handledAt,
    revoked: false,
    skip: c.skip ?? null,
    origin_id: c.originId ?? null,
  };
}

/**
 * The rows of a flow's last step. A consent that re-used a remembered one
 * revoked since the skip was decided is written revoked, with its tokens:
 * a revocation also reaches the flows that were in flight when it happened.
 */
export function finishRows(tokens: readonly TokenRecord[], consent: ConsentRecord, originLive: boolean): { tokens: TokenRow[]; consent: ConsentRow } {
  const revoked = consent.originId !== undefined && !originLive;
  return {
    tokens: tokens.map((t) => tokenToRow(revoked ? { ...t, revoked } : t)),
    consent: { ...consentToRow(consent), revoked },
  };
}

export function rowToConsent(row: ConsentRow): ConsentRecord {
  const grant = JSON.parse(row.grant) as Pick<
    ConsentRecord,
    'grantScope' | 'grantAudience' | 'accessTokenClaims' | 'idTokenClaims' | 'requestedScope' | 'requestedAudience' | 'acr' | 'amr' | 'context'
  >;
  return {
    ...grant,
    id: row.id,
    subject: row.subject,
    clientId: row.client_id,
    loginSessionId: row.login_session_id ?? '',
    remember: Boolean(row.remember),
    rememberUntil: row.remember_until === null ? null : Number(row.remember_until),
    handledAt: Number(row.handled_at),
    ...(row.skip === 'remembered' || row.skip === 'client' ? { skip: row.skip } : {}),
    ...(row.origin_id !== null ? { originId: row.origin_id } : {}),
  };
}

export interface LoginSessionRow {
  id: string;
  secret_hash: string;
  subject: string;
  authenticated_at: number | string;
  expires_at: number | string;
  acr: string;
  amr: string;
}

/** The row's columns in the order of LOGIN_SESSION_COLUMNS. */
export const LOGIN_SESSION_COLUMNS = ['id', 'secret_hash', 'subject', 'authenticated_at', 'expires_at', 'acr', 'amr'] as const;

export function loginSessionToRow(session: LoginSession, secretHash: string): LoginSessionRow {
  return {
    id: session.id,
    secret_hash: secretHash,
    subject: session.subject,
    authenticated_at: session.authenticatedAt,
    expires_at: session.expiresAt,
    acr: session.acr,
    amr: JSON.stringify(session.amr),
  };
}

export function rowToLoginSession(row: LoginSessionRow): LoginSession {
  return {
    id: row.id,
    subject: row.subject,
    authenticatedAt: Number(row.authenticated_at),
    expiresAt: Number(row.expires_at),
    acr: row.acr,
    amr: JSON.parse(row.amr) as string[],
  };
}
