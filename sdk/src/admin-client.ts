import { z } from 'zod';
import { JsonPatchDocument, ListClientsQuery, OAuth2Client, OAuth2ClientInput, OAuth2ClientTokenLifespans } from './contract/clients.js';
import { AcceptOAuth2ConsentRequest, AcceptOAuth2LoginRequest, OAuth2ConsentRequest, OAuth2LoginRequest, OAuth2RedirectTo, RejectOAuth2Request } from './contract/flows.js';
import { HealthNotReady, HealthStatus } from './contract/health.js';
import { CreateJsonWebKeySet, JsonWebKey, JsonWebKeySet } from './contract/keys.js';
import { IntrospectedOAuth2Token } from './contract/oauth2.js';
import { TesseraError } from './errors.js';
import { nextPageToken, totalCount, type ClientPage } from './pagination.js';
import { createTransport, parseReply, type Call, type Send, type TesseraAdminOptions } from './transport.js';

/** What a method accepts: the contract schema's input side (defaults may be left out). */
type Body<S extends z.ZodType> = z.input<S>;

/** Filters and position of `listClients`; wire names, as the query string carries them. */
export type ListClientsOptions = Partial<ListClientsQuery>;

export interface IntrospectOptions {
  /** RFC 7662 `scope`: the token counts as active only if it carries every one of these. */
  readonly scope?: string | readonly string[] | undefined;
}

const ClientList = z.array(OAuth2Client);
const seg = encodeURIComponent;
const loginPath = '/admin/oauth2/auth/requests/login';
const consentPath = '/admin/oauth2/auth/requests/consent';

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
    const seen = new Set<string>();
    let token: string | undefined;
    do {
      const page = await this.listClients(token === undefined ? options : { ...options, page_token: token });
      yield* page.clients;
      token = page.nextPageToken;
      // A server that hands out a token twice would loop forever; stop with an error instead.
      if (token !== undefined && seen.has(token)) {
        throw new TesseraError({ status: 200, error: 'invalid_response', error_description: 'The next page token repeats an earlier one.' });
      }
      if (token !== undefined) seen.add(token);
    } while (token !== undefined);
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

  // ── Login and consent ─────────────────────────────────────────────────────

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

  // ── Tokens ────────────────────────────────────────────────────────────────

  /** `POST /admin/oauth2/introspect` (RFC 7662). Unknown, expired or revoked tokens give `{ active: false }`, not an error. */
  introspectToken(token: string, options: IntrospectOptions = {}): Promise<IntrospectedOAuth2Token> {
    const scope = typeof options.scope === 'string' || options.scope === undefined ? options.scope : options.scope.join(' ');
    return this.#json(IntrospectedOAuth2Token, 'introspection', { method: 'POST', path: '/admin/oauth2/introspect', form: { token, scope } });
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
