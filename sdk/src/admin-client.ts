import { z } from 'zod';
import { JsonPatchDocument, ListClientsQuery, OAuth2Client, OAuth2ClientInput, OAuth2ClientTokenLifespans } from './contract/clients.js';
import {
  AcceptDeviceUserCodeRequest,
  AcceptOAuth2ConsentRequest,
  AcceptOAuth2LoginRequest,
  OAuth2ConsentRequest,
  OAuth2ConsentSession,
  OAuth2LoginRequest,
  OAuth2LogoutRequest,
  OAuth2RedirectTo,
  RejectOAuth2Request,
  type ListConsentSessionsQuery,
} from './contract/flows.js';
import { HealthNotReady, HealthStatus } from './contract/health.js';
import { CreateJsonWebKeySet, JsonWebKey, JsonWebKeySet } from './contract/keys.js';
import { IntrospectedOAuth2Token, type DeleteOAuth2TokensQuery } from './contract/oauth2.js';
import { TesseraError } from './errors.js';
import { allPages, nextPageToken, totalCount, type ClientPage, type ConsentSessionPage } from './pagination.js';
import { createTransport, parseReply, type Call, type Send, type TesseraAdminOptions } from './transport.js';

/** What a method accepts: the contract schema's input side (defaults may be left out). */
type Body<S extends z.ZodType> = z.input<S>;

/** Filters and position of `listClients`; wire names, as the query string carries them. */
export type ListClientsOptions = Partial<ListClientsQuery>;

/** Whose consent sessions `listConsentSessions` lists (`subject` is required), and which page. */
export type ListConsentSessionsOptions = Pick<ListConsentSessionsQuery, 'subject'> & Partial<Omit<ListConsentSessionsQuery, 'subject'>>;

/**
 * What `revokeConsentSessions` revokes: one subject's consents to one client,
 * all of one subject's consents, or one consent by its id. Revoking a consent
 * also revokes the tokens issued under it.
 */
export type RevokeConsentSessionsTarget =
  | { readonly subject: string; readonly client: string; readonly all?: never; readonly consent_request_id?: never }
  | { readonly subject: string; readonly all: true; readonly client?: never; readonly consent_request_id?: never }
  | { readonly consent_request_id: string; readonly subject?: never; readonly client?: never; readonly all?: never };

/** What `revokeLoginSessions` ends: every login session of a subject, or one session by its id (`sid`). */
export type RevokeLoginSessionsTarget =
  | { readonly subject: string; readonly sid?: never }
  | { readonly sid: string; readonly subject?: never };

export interface IntrospectOptions {
  /** RFC 7662 `scope`: the token counts as active only if it carries every one of these. */
  readonly scope?: string | readonly string[] | undefined;
}

const ClientList = z.array(OAuth2Client);
const ConsentSessionList = z.array(OAuth2ConsentSession);
const seg = encodeURIComponent;
const loginPath = '/admin/oauth2/auth/requests/login';
const consentPath = '/admin/oauth2/auth/requests/consent';
const logoutPath = '/admin/oauth2/auth/requests/logout';
const devicePath = '/admin/oauth2/auth/requests/device';
const sessionsPath = '/admin/oauth2/auth/sessions';

/**
 * Typed client of Tessera's admin API (the Ory Hydra v2 admin API).
 *
 * Every answer is checked against the contract schema, every failure is a
 * {@link TesseraError}. Uses only `fetch` and other web-standard APIs.
 *
 * @example
 * ```ts
 * const admin = new TesseraAdmin({ baseUrl: 'http://127.0.0.1:4445' });
 * const client = await admin.createClient({ redirect_uris: ['https://app.example/cb'] });
 * ```
 */
export class TesseraAdmin {
  readonly #send: Send;

  constructor(options: TesseraAdminOptions) {
    this.#send = createTransport(options);
  }

  async #json<S extends z.ZodType>(schema: S, what: string, call: Call): Promise<z.output<S>> {
    return parseReply(schema, await this.#send(call), what);
  }

  async #empty(call: Call): Promise<void> {
    await this.#send(call);
  }

  /** Answers of the form `{keys: [key]}` carry exactly one key; the key is what the caller wants. */
  async #oneKey(call: Call): Promise<JsonWebKey> {
    const reply = await this.#send(call);
    const [key, ...more] = parseReply(JsonWebKeySet, reply, 'key set').keys;
    if (key === undefined || more.length > 0) {
      throw new TesseraError({ status: reply.status, error: 'invalid_response', error_description: 'Expected exactly one key in the answer.', requestId: reply.requestId });
    }
    return key;
  }

  // ── OAuth 2.0 clients ─────────────────────────────────────────────────────

  /** `POST /admin/clients` (201). The answer carries `client_secret`, generated unless given: the only time it is shown. */
  createClient(client: Body<typeof OAuth2ClientInput>): Promise<OAuth2Client> {
    return this.#json(OAuth2Client, 'client', { method: 'POST', path: '/admin/clients', json: client });
  }

  /** `GET /admin/clients/{id}`; 404 `not_found` when there is none. Never includes the secret. */
  getClient(id: string): Promise<OAuth2Client> {
    return this.#json(OAuth2Client, 'client', { method: 'GET', path: `/admin/clients/${seg(id)}` });
  }

  /** `GET /admin/clients`: one page, with the token of the next one (from `Link`) and the total (`X-Total-Count`). */
  async listClients(options: ListClientsOptions = {}): Promise<ClientPage> {
    const reply = await this.#send({ method: 'GET', path: '/admin/clients', query: { ...options } });
    return { clients: parseReply(ClientList, reply, 'client list'), nextPageToken: nextPageToken(reply), total: totalCount(reply) };
  }

  /**
   * Every client matching the filters, fetched page by page as the loop asks.
   *
   * @example
   * ```ts
   * for await (const client of admin.iterateClients({ owner: 'team-a' })) console.log(client.client_id);
   * ```
   */
  async *iterateClients(options: Omit<ListClientsOptions, 'page_token'> = {}): AsyncGenerator<OAuth2Client, void, undefined> {
    yield* allPages(async (token) => {
      const page = await this.listClients(token === undefined ? options : { ...options, page_token: token });
      return { items: page.clients, nextPageToken: page.nextPageToken };
    });
  }

  /** `PUT /admin/clients/{id}`: replaces every field; without `client_secret` the old secret is kept. */
  replaceClient(id: string, client: Body<typeof OAuth2ClientInput>): Promise<OAuth2Client> {
    return this.#json(OAuth2Client, 'client', { method: 'PUT', path: `/admin/clients/${seg(id)}`, json: client });
  }

  /** `PATCH /admin/clients/{id}` with RFC 6902 operations, e.g. `[{ op: 'replace', path: '/client_name', value: 'New' }]`. */
  patchClient(id: string, operations: Body<typeof JsonPatchDocument>): Promise<OAuth2Client> {
    return this.#json(OAuth2Client, 'client', { method: 'PATCH', path: `/admin/clients/${seg(id)}`, json: operations });
  }

  /** `DELETE /admin/clients/{id}` (204). */
  deleteClient(id: string): Promise<void> {
    return this.#empty({ method: 'DELETE', path: `/admin/clients/${seg(id)}` });
  }

  /** `PUT /admin/clients/{id}/lifespans`: sets the 13 `*_lifespan` fields as a whole (a field left out is reset). */
  setClientLifespans(id: string, lifespans: Body<typeof OAuth2ClientTokenLifespans>): Promise<OAuth2Client> {
    return this.#json(OAuth2Client, 'client', { method: 'PUT', path: `/admin/clients/${seg(id)}/lifespans`, json: lifespans });
  }

  // ── Login, consent and logout ─────────────────────────────────────────────

  /** `GET …/requests/login?login_challenge=`; 410 (`redirectTo` set) once the challenge is used or expired. */
  getLoginRequest(challenge: string): Promise<OAuth2LoginRequest> {
    return this.#json(OAuth2LoginRequest, 'login request', { method: 'GET', path: loginPath, query: { login_challenge: challenge } });
  }

  /** `PUT …/requests/login/accept`; send the browser to the answer's `redirect_to`. */
  acceptLoginRequest(challenge: string, accept: Body<typeof AcceptOAuth2LoginRequest>): Promise<OAuth2RedirectTo> {
    return this.#json(OAuth2RedirectTo, 'redirect', { method: 'PUT', path: `${loginPath}/accept`, query: { login_challenge: challenge }, json: accept });
  }

  /** `PUT …/requests/login/reject`; the error reaches the client. No body means `access_denied`. */
  rejectLoginRequest(challenge: string, reject: Body<typeof RejectOAuth2Request> = {}): Promise<OAuth2RedirectTo> {
    return this.#json(OAuth2RedirectTo, 'redirect', { method: 'PUT', path: `${loginPath}/reject`, query: { login_challenge: challenge }, json: reject });
  }

  /**
   * `PUT …/requests/device/accept?device_challenge=` (RFC 8628 §3.3, Hydra v25.4):
   * the user code the user typed; send the browser to the answer's `redirect_to`
   * (login and consent follow). A wrong, expired or used code is a 400, too many
   * wrong codes from the user's network a 429, a spent challenge a 410 with `redirectTo`.
   */
  acceptUserCodeRequest(challenge: string, accept: Body<typeof AcceptDeviceUserCodeRequest>): Promise<OAuth2RedirectTo> {
    return this.#json(OAuth2RedirectTo, 'redirect', { method: 'PUT', path: `${devicePath}/accept`, query: { device_challenge: challenge }, json: accept });
  }

  /** `GET …/requests/consent?consent_challenge=`. */
  getConsentRequest(challenge: string): Promise<OAuth2ConsentRequest> {
    return this.#json(OAuth2ConsentRequest, 'consent request', { method: 'GET', path: consentPath, query: { consent_challenge: challenge } });
  }

  /** `PUT …/requests/consent/accept`: what is granted, and the claims for the tokens (`session`). */
  acceptConsentRequest(challenge: string, accept: Body<typeof AcceptOAuth2ConsentRequest>): Promise<OAuth2RedirectTo> {
    return this.#json(OAuth2RedirectTo, 'redirect', { method: 'PUT', path: `${consentPath}/accept`, query: { consent_challenge: challenge }, json: accept });
  }

  /** `PUT …/requests/consent/reject`. No body means `access_denied`. */
  rejectConsentRequest(challenge: string, reject: Body<typeof RejectOAuth2Request> = {}): Promise<OAuth2RedirectTo> {
    return this.#json(OAuth2RedirectTo, 'redirect', { method: 'PUT', path: `${consentPath}/reject`, query: { consent_challenge: challenge }, json: reject });
  }

  /** `GET …/requests/logout?logout_challenge=`: who is logging out, and whether a client (`rp_initiated`, `client`) asked for it. */
  getLogoutRequest(challenge: string): Promise<OAuth2LogoutRequest> {
    return this.#json(OAuth2LogoutRequest, 'logout request', { method: 'GET', path: logoutPath, query: { logout_challenge: challenge } });
  }

  /** `PUT …/requests/logout/accept`; send the browser to `redirect_to`, where Tessera ends the session. */
  acceptLogoutRequest(challenge: string): Promise<OAuth2RedirectTo> {
    return this.#json(OAuth2RedirectTo, 'redirect', { method: 'PUT', path: `${logoutPath}/accept`, query: { logout_challenge: challenge } });
  }

  /** `PUT …/requests/logout/reject` (204): the user stays logged in; where the browser goes next is the app's call. */
  rejectLogoutRequest(challenge: string): Promise<void> {
    return this.#empty({ method: 'PUT', path: `${logoutPath}/reject`, query: { logout_challenge: challenge } });
  }

  // ── Consent and login sessions ────────────────────────────────────────────

  /** `GET …/sessions/consent`: one page of what `subject` granted (optionally within one login session), with the next page token and the total. */
  async listConsentSessions(options: ListConsentSessionsOptions): Promise<ConsentSessionPage> {
    const reply = await this.#send({ method: 'GET', path: `${sessionsPath}/consent`, query: { ...options } });
    return { sessions: parseReply(ConsentSessionList, reply, 'consent session list'), nextPageToken: nextPageToken(reply), total: totalCount(reply) };
  }

  /** Every consent session of `subject`, fetched page by page as the loop asks. */
  async *iterateConsentSessions(options: Omit<ListConsentSessionsOptions, 'page_token'>): AsyncGenerator<OAuth2ConsentSession, void, undefined> {
    yield* allPages(async (token) => {
      const page = await this.listConsentSessions(token === undefined ? options : { ...options, page_token: token });
      return { items: page.sessions, nextPageToken: page.nextPageToken };
    });
  }

  /**
   * `DELETE …/sessions/consent` (204): revokes the consents, and the tokens issued under them.
   * `{ subject, client }`, `{ subject, all: true }` or `{ consent_request_id }`.
   */
  revokeConsentSessions(target: RevokeConsentSessionsTarget): Promise<void> {
    const query = { subject: target.subject, client: target.client, all: target.all ? 'true' : undefined, consent_request_id: target.consent_request_id };
    return this.#empty({ method: 'DELETE', path: `${sessionsPath}/consent`, query });
  }

  /** `DELETE …/sessions/login` (204): ends `{ subject }`'s login sessions or the one `{ sid }`; clients get back-channel logout. */
  revokeLoginSessions(target: RevokeLoginSessionsTarget): Promise<void> {
    return this.#empty({ method: 'DELETE', path: `${sessionsPath}/login`, query: { subject: target.subject, sid: target.sid } });
  }

  // ── Tokens ────────────────────────────────────────────────────────────────

  /** `POST /admin/oauth2/introspect` (RFC 7662). Unknown, expired or revoked tokens give `{ active: false }`, not an error. */
  introspectToken(token: string, options: IntrospectOptions = {}): Promise<IntrospectedOAuth2Token> {
    const scope = typeof options.scope === 'string' || options.scope === undefined ? options.scope : options.scope.join(' ');
    return this.#json(IntrospectedOAuth2Token, 'introspection', { method: 'POST', path: '/admin/oauth2/introspect', form: { token, scope } });
  }

  /**
   * `DELETE /admin/oauth2/tokens?client_id=` (204), Hydra's `deleteOAuth2Token`: deletes every access token
   * issued to the client. Its refresh tokens stay valid; revoke consent sessions to end the grants.
   */
  deleteAccessTokens(clientId: string): Promise<void> {
    const query: DeleteOAuth2TokensQuery = { client_id: clientId };
    return this.#empty({ method: 'DELETE', path: '/admin/oauth2/tokens', query });
  }

  // ── JSON Web Keys ─────────────────────────────────────────────────────────

  /** `GET /admin/keys/{set}`, private members included. */
  getJsonWebKeySet(set: string): Promise<JsonWebKeySet> {
    return this.#json(JsonWebKeySet, 'key set', { method: 'GET', path: `/admin/keys/${seg(set)}` });
  }

  /** `POST /admin/keys/{set}` (201): generates a key (`RS256`, `ES256` or `EdDSA`) and adds it to the set; returns it. */
  createJsonWebKey(set: string, request: Body<typeof CreateJsonWebKeySet>): Promise<JsonWebKey> {
    return this.#oneKey({ method: 'POST', path: `/admin/keys/${seg(set)}`, json: request });
  }

  /** `PUT /admin/keys/{set}`: the set becomes exactly these keys. */
  replaceJsonWebKeySet(set: string, keys: Body<typeof JsonWebKeySet>): Promise<JsonWebKeySet> {
    return this.#json(JsonWebKeySet, 'key set', { method: 'PUT', path: `/admin/keys/${seg(set)}`, json: keys });
  }

  /** `DELETE /admin/keys/{set}` (204). */
  deleteJsonWebKeySet(set: string): Promise<void> {
    return this.#empty({ method: 'DELETE', path: `/admin/keys/${seg(set)}` });
  }

  /** `GET /admin/keys/{set}/{kid}`: the key (the server wraps it in a set; the SDK unwraps it). */
  getJsonWebKey(set: string, kid: string): Promise<JsonWebKey> {
    return this.#oneKey({ method: 'GET', path: `/admin/keys/${seg(set)}/${seg(kid)}` });
  }

  /** `PUT /admin/keys/{set}/{kid}`: inserts or replaces the key; its `kid` must be the path's. */
  replaceJsonWebKey(set: string, kid: string, key: Body<typeof JsonWebKey>): Promise<JsonWebKey> {
    return this.#json(JsonWebKey, 'key', { method: 'PUT', path: `/admin/keys/${seg(set)}/${seg(kid)}`, json: key });
  }

  /** `DELETE /admin/keys/{set}/{kid}` (204). */
  deleteJsonWebKey(set: string, kid: string): Promise<void> {
    return this.#empty({ method: 'DELETE', path: `/admin/keys/${seg(set)}/${seg(kid)}` });
  }

  // ── Health ────────────────────────────────────────────────────────────────

  /** `GET /health/ready`: true when the server and its database answer, false on 503 (draining or database down). */
  async isReady(): Promise<boolean> {
    const reply = await this.#send({ method: 'GET', path: '/health/ready', answers: [503] });
    if (reply.status !== 503) return parseReply(HealthStatus, reply, 'readiness answer').status === 'ok';
    parseReply(HealthNotReady, reply, 'readiness answer');
    return false;
  }
}
