import { z } from 'zod';
import { JsonPatchDocument, ListClientsQuery, OAuth2Client, OAuth2ClientInput, OAuth2ClientTokenLifespans } from '../contract/clients.js';
import {
  AcceptDeviceUserCodeRequest,
  AcceptOAuth2ConsentRequest,
  AcceptOAuth2LoginRequest,
  ConsentChallengeQuery,
  DeviceChallengeQuery,
  ListConsentSessionsQuery,
  LoginChallengeQuery,
  LogoutChallengeQuery,
  OAuth2ConsentRequest,
  OAuth2ConsentSession,
  OAuth2LoginRequest,
  OAuth2LogoutRequest,
  OAuth2RedirectTo,
  RejectOAuth2Request,
  RevokeConsentSessionsQuery,
  RevokeLoginSessionsQuery,
} from '../contract/flows.js';
import { CreateJsonWebKeySet, JsonWebKey, JsonWebKeySet, JsonWebKeySetInput } from '../contract/keys.js';
import { DeleteOAuth2TokensQuery, IntrospectedOAuth2Token, IntrospectionRequest } from '../contract/oauth2.js';
import { ErrorResponse } from '../contract/errors.js';
import { pageHeaders, type Operation, type ResponseSpec } from './table.js';
import { leakAdminOperations } from './leak-routes.js';
import { clientAuthAdminOperations } from './client-auth-routes.js';

/* The admin API (port 4445), as `server/src/http/admin.ts` registers it. */

const admin = ['admin'] as const;
const client = { id: 'The client ID.' };
const set = { set: 'The key set, e.g. `hydra.openid.id-token`.' };
const key = { ...set, kid: 'The key ID.' };
const deleted: ResponseSpec = { description: 'Deleted.' };
const clientAnswer = (description: string): ResponseSpec => ({ description, json: OAuth2Client });

/** 410 of every flow request: the challenge was used or has expired; `redirect_to` starts the flow again. */
const gone: ResponseSpec = {
  description: 'The request was already handled (its verifier was used) or has expired. Hydra v2.0 shape: send the browser to `redirect_to` to start again.',
  json: OAuth2RedirectTo,
};
const redirect: ResponseSpec = { description: 'Send the browser to `redirect_to`.', json: OAuth2RedirectTo };

const clients: Operation[] = [
  { apis: admin, method: 'post', path: '/admin/clients', operationId: 'createOAuth2Client', summary: 'Create a client',
    description: 'The answer carries `client_secret` (generated unless given): the only time it is shown. Secrets are stored hashed.',
    body: { schema: OAuth2ClientInput }, responses: { 201: clientAnswer('The client, with its secret.') }, errors: [400, 409] },
  { apis: admin, method: 'get', path: '/admin/clients', operationId: 'listOAuth2Clients', summary: 'List clients',
    query: ListClientsQuery, responses: { 200: { description: 'One page of clients.', json: z.array(OAuth2Client), headers: pageHeaders } }, errors: [400] },
  { apis: admin, method: 'get', path: '/admin/clients/{id}', operationId: 'getOAuth2Client', summary: 'Get a client', pathParams: client,
    responses: { 200: clientAnswer('The client, never its secret.') }, errors: [404] },
  { apis: admin, method: 'put', path: '/admin/clients/{id}', operationId: 'setOAuth2Client', summary: 'Replace a client', pathParams: client,
    description: 'Every field is replaced; without `client_secret` the old secret is kept.',
    body: { schema: OAuth2ClientInput }, responses: { 200: clientAnswer('The client.') }, errors: [400, 404] },
  { apis: admin, method: 'patch', path: '/admin/clients/{id}', operationId: 'patchOAuth2Client', summary: 'Patch a client (RFC 6902 JSON Patch)', pathParams: client,
    body: { schema: JsonPatchDocument }, responses: { 200: clientAnswer('The client.') }, errors: [400, 404] },
  { apis: admin, method: 'delete', path: '/admin/clients/{id}', operationId: 'deleteOAuth2Client', summary: 'Delete a client', pathParams: client,
    responses: { 204: deleted }, errors: [404] },
  { apis: admin, method: 'put', path: '/admin/clients/{id}/lifespans', operationId: 'setOAuth2ClientLifespans', summary: 'Set the token lifespans of a client',
    description: 'The 13 `*_lifespan` fields as a whole: a field left out is reset to the default.',
    pathParams: client, body: { schema: OAuth2ClientTokenLifespans }, responses: { 200: clientAnswer('The client.') }, errors: [400, 404] },
];

const keys: Operation[] = [
  { apis: admin, method: 'get', path: '/admin/keys/{set}', operationId: 'getJsonWebKeySet', summary: 'Get a key set, private members included', pathParams: set,
    responses: { 200: { description: 'The key set.', json: JsonWebKeySet } }, errors: [404] },
  { apis: admin, method: 'post', path: '/admin/keys/{set}', operationId: 'createJsonWebKeySet', summary: 'Generate a key and add it to the set', pathParams: set,
    body: { schema: CreateJsonWebKeySet }, responses: { 201: { description: 'A set holding the new key only.', json: JsonWebKeySet } }, errors: [400] },
  { apis: admin, method: 'put', path: '/admin/keys/{set}', operationId: 'setJsonWebKeySet', summary: 'Replace a key set', pathParams: set,
    body: { schema: JsonWebKeySetInput }, responses: { 200: { description: 'The key set.', json: JsonWebKeySet } }, errors: [400] },
  { apis: admin, method: 'delete', path: '/admin/keys/{set}', operationId: 'deleteJsonWebKeySet', summary: 'Delete a key set', pathParams: set,
    responses: { 204: deleted }, errors: [404] },
  { apis: admin, method: 'get', path: '/admin/keys/{set}/{kid}', operationId: 'getJsonWebKey', summary: 'Get one key', pathParams: key,
    responses: { 200: { description: 'A set holding that key only.', json: JsonWebKeySet } }, errors: [404] },
  { apis: admin, method: 'put', path: '/admin/keys/{set}/{kid}', operationId: 'setJsonWebKey', summary: 'Insert or replace one key; its `kid` must be the path\'s', pathParams: key,
    body: { schema: JsonWebKey }, responses: { 200: { description: 'The key.', json: JsonWebKey } }, errors: [400] },
  { apis: admin, method: 'delete', path: '/admin/keys/{set}/{kid}', operationId: 'deleteJsonWebKey', summary: 'Delete one key', pathParams: key,
    responses: { 204: deleted }, errors: [404] },
];

const challengeRoutes = (
  kind: 'Login' | 'Consent',
  query: z.ZodObject,
  request: z.ZodType,
  accept: z.ZodType,
): Operation[] => {
  const base = `/admin/oauth2/auth/requests/${kind.toLowerCase()}`;
  const errors = [400, 404] as const;
  return [
    { apis: admin, method: 'get', path: base, operationId: `getOAuth2${kind}Request`, summary: `Get a ${kind.toLowerCase()} request`, query,
      responses: { 200: { description: `The ${kind.toLowerCase()} request.`, json: request }, 410: gone }, errors },
    { apis: admin, method: 'put', path: `${base}/accept`, operationId: `acceptOAuth2${kind}Request`, summary: `Accept a ${kind.toLowerCase()} request`, query,
      body: { schema: accept }, responses: { 200: redirect, 410: gone }, errors },
    { apis: admin, method: 'put', path: `${base}/reject`, operationId: `rejectOAuth2${kind}Request`, summary: `Reject a ${kind.toLowerCase()} request`, query,
      description: 'The error reaches the client at its redirect_uri; no body means `access_denied`.',
      body: { schema: RejectOAuth2Request, required: false }, responses: { 200: redirect, 410: gone }, errors },
  ];
};

const logout: Operation[] = [
  { apis: admin, method: 'get', path: '/admin/oauth2/auth/requests/logout', operationId: 'getOAuth2LogoutRequest', summary: 'Get a logout request', query: LogoutChallengeQuery,
    responses: { 200: { description: 'The logout request.', json: OAuth2LogoutRequest }, 410: gone }, errors: [400, 404] },
  { apis: admin, method: 'put', path: '/admin/oauth2/auth/requests/logout/accept', operationId: 'acceptOAuth2LogoutRequest', summary: 'Accept a logout request',
    query: LogoutChallengeQuery, responses: { 200: { description: 'Send the browser to `redirect_to`: the session ends there.', json: OAuth2RedirectTo }, 410: gone },
    errors: [400, 404] },
  { apis: admin, method: 'put', path: '/admin/oauth2/auth/requests/logout/reject', operationId: 'rejectOAuth2LogoutRequest', summary: 'Reject a logout request',
    query: LogoutChallengeQuery, responses: { 204: { description: 'Rejected and deleted: the user stays logged in.' }, 410: gone }, errors: [400, 404] },
];

/** RFC 8628 §3.3: the user code the user typed, for the device challenge the login app received (Hydra v25.4). */
const device: Operation[] = [
  { apis: admin, method: 'put', path: '/admin/oauth2/auth/requests/device/accept', operationId: 'acceptUserCodeRequest', summary: 'Accept a device user code',
    description:
      'The code is matched case-insensitively, with or without the dash, and claimed once. `redirect_to` goes to `/oauth2/device/verify?device_verifier=…&client_id=…`, where login and consent begin as in the code flow. A wrong, expired or used code is a 400; too many wrong codes from the user\'s network a 429; a used, expired or spent challenge (too many wrong codes) a 410 whose `redirect_to` issues a new one.',
    query: DeviceChallengeQuery, body: { schema: AcceptDeviceUserCodeRequest },
    responses: { 200: redirect, 410: gone, 429: { description: 'Too many wrong user codes from this network (`Retry-After`).', json: ErrorResponse } }, errors: [400, 404] },
];

const sessions: Operation[] = [
  { apis: admin, method: 'get', path: '/admin/oauth2/auth/sessions/consent', operationId: 'listOAuth2ConsentSessions', summary: 'List the consents a subject gave',
    query: ListConsentSessionsQuery,
    responses: { 200: { description: 'One page of consent sessions, newest first.', json: z.array(OAuth2ConsentSession), headers: pageHeaders } }, errors: [400] },
  { apis: admin, method: 'delete', path: '/admin/oauth2/auth/sessions/consent', operationId: 'revokeOAuth2ConsentSessions', summary: 'Revoke consents and their tokens',
    description: 'Name them by `subject` and `client`, by `subject` and `all=true`, or by `consent_request_id`.',
    query: RevokeConsentSessionsQuery, responses: { 204: { description: 'Revoked.' } }, errors: [400] },
  { apis: admin, method: 'delete', path: '/admin/oauth2/auth/sessions/login', operationId: 'revokeOAuth2LoginSessions', summary: 'End login sessions',
    description: 'Every session of `subject`, or the one `sid`. Clients that took part get back-channel logout.',
    query: RevokeLoginSessionsQuery, responses: { 204: { description: 'Ended.' } }, errors: [400] },
];

const introspection: Operation = {
  apis: admin, method: 'post', path: '/admin/oauth2/introspect', operationId: 'introspectOAuth2Token', summary: 'Introspect a token (RFC 7662)',
  description: 'Unknown, expired and revoked tokens, and tokens lacking a requested `scope`, are `{ "active": false }`. Extension (RFC 9701): with `Accept: application/token-introspection+jwt` and client authentication as at the token endpoint (Basic, or `client_id`/`client_secret` or `client_assertion` in the form), the answer is a JWT (`typ: token-introspection+jwt`, RS256, signed by `hydra.openid.id-token`) with `iss`, `aud` (the client), `iat` and the JSON answer as `token_introspection`; without credentials, 401 `invalid_client`.',
  body: { schema: IntrospectionRequest, form: true },
  responses: { 200: { description: 'The token\'s state; as a signed JWT when asked for (RFC 9701).', json: IntrospectedOAuth2Token, text: 'application/token-introspection+jwt' } }, errors: [400, 401],
};

const deleteTokens: Operation = {
  apis: admin, method: 'delete', path: '/admin/oauth2/tokens', operationId: 'deleteOAuth2Token', summary: 'Delete the access tokens of a client',
  description: 'As Hydra: every access token issued to `client_id` is deleted; its refresh tokens, codes and consents stay. 204 even when there was none.',
  query: DeleteOAuth2TokensQuery, responses: { 204: deleted }, errors: [400],
};

/** At Hydra v2's admin path; the operation name older Ory SDKs used (@ory/hydra-client 26 has none). */
const metrics: Operation = {
  apis: admin, method: 'get', path: '/admin/metrics/prometheus', operationId: 'prometheus', summary: 'Metrics for Prometheus',
  description: 'Request counts and latency by route template, tokens issued, introspections, login/consent outcomes, the database pool, process metrics. With `--workers`, every worker\'s, aggregated. Extension: Tessera\'s metric names (`tessera_*`).',
  responses: { 200: { description: 'The Prometheus text exposition format 0.0.4.', text: 'text/plain; version=0.0.4' } },
};

export const adminOperations: readonly Operation[] = [
  ...clients,
  ...keys,
  ...challengeRoutes('Login', LoginChallengeQuery, OAuth2LoginRequest, AcceptOAuth2LoginRequest),
  ...challengeRoutes('Consent', ConsentChallengeQuery, OAuth2ConsentRequest, AcceptOAuth2ConsentRequest),
  ...logout,
  ...device,
  ...sessions,
  introspection,
  deleteTokens,
  ...leakAdminOperations,
  ...clientAuthAdminOperations,
  metrics,
];
