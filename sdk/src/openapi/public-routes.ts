import { z } from 'zod';
import { DiscoveryDocument } from '../contract/discovery.js';
import { HealthNotReady, HealthStatus, Version } from '../contract/health.js';
import { JsonWebKeySet } from '../contract/keys.js';
import {
  AuthorizationRequest,
  DeviceAuthorization,
  DeviceAuthorizationRequest,
  EndSessionRequest,
  OidcUserInfo,
  PushedAuthorizationRequest,
  PushedAuthorizationResponse,
  RevocationRequest,
  TokenRequest,
  TokenResponse,
} from '../contract/oauth2.js';
import { locationHeader, type Operation, type ResponseSpec } from './table.js';
import { leakPublicOperations } from './leak-routes.js';
import { clientAuthPublicOperations } from './client-auth-routes.js';

/*
 * The public API (port 4444), as `server/src/http/public.ts` registers it,
 * and what both ports serve (`server/src/http/health.ts`, the document itself).
 */

const pub = ['public'] as const;
const both = ['public', 'admin'] as const;

/** This document; kept open so a newer document still validates. */
const OpenApiJson = z.looseObject({ openapi: z.string() }).describe('An OpenAPI 3.1 document.');

const shared: Operation[] = [
  { apis: both, method: 'get', path: '/health/alive', operationId: 'isAlive', summary: 'The process answers',
    responses: { 200: { description: 'Alive.', json: HealthStatus } } },
  { apis: both, method: 'get', path: '/health/ready', operationId: 'isReady', summary: 'The process and its database answer',
    responses: { 200: { description: 'Ready.', json: HealthStatus }, 503: { description: 'Shutting down, or the database does not answer.', json: HealthNotReady } } },
  { apis: both, method: 'get', path: '/version', operationId: 'getVersion', summary: 'The running version',
    responses: { 200: { description: 'The version.', json: Version } } },
  { apis: both, method: 'get', path: '/.well-known/openapi.json', operationId: 'getOpenApiDocument', summary: 'This document',
    description: 'The admin port serves the whole document, the public port the public API only.',
    responses: { 200: { description: 'The OpenAPI 3.1 document.', json: OpenApiJson } } },
];

const discovery = (path: string, operationId: string, summary: string): Operation => ({
  apis: pub, method: 'get', path, operationId, summary,
  description: 'Lists only what this server supports. Cached for 5 minutes (`Cache-Control: public, max-age=300`).',
  responses: { 200: { description: 'The provider metadata.', json: DiscoveryDocument } },
});

const clientAuth = { schemes: ['clientSecretBasic'], optional: true } as const;

const tokens: Operation[] = [
  { apis: pub, method: 'post', path: '/oauth2/token', operationId: 'oauth2TokenExchange', summary: 'The token endpoint (RFC 6749 §3.2)',
    description: 'Grants `authorization_code` (with PKCE), `refresh_token` (rotated on every use), `client_credentials`, `urn:ietf:params:oauth:grant-type:device_code` (RFC 8628 §3.4), `urn:ietf:params:oauth:grant-type:jwt-bearer` (RFC 7523 §2.1) and `urn:ietf:params:oauth:grant-type:token-exchange` (RFC 8693, extension: `subject_token`, optional `actor_token` for an `act` claim, narrowing `scope`/`audience`/`resource`; the answer adds `issued_token_type`). Confidential clients authenticate with HTTP Basic (`client_secret_basic`) or `client_id` and `client_secret` in the form (`client_secret_post`); public clients send `client_id` only. With a `DPoP` header (RFC 9449, extension) every grant binds the access token to the proof\'s key: `token_type` is `DPoP`, and a public client\'s refresh token is bound too; a bad proof gets 400 `invalid_dpop_proof`, a missing server nonce (`oauth2.dpop.nonce.required`) 400 `use_dpop_nonce` with a `DPoP-Nonce` header. A client with `dpop_bound_access_tokens` must send a proof. Extension: `resource` (RFC 8707, repeatable) narrows the access token\'s audience to granted resources, or with client_credentials asks for audiences; a resource that is malformed, not allowed or not granted is `invalid_target`.',
    body: { schema: TokenRequest, form: true }, security: clientAuth,
    responses: { 200: { description: 'The tokens (RFC 6749 §5.1).', json: TokenResponse } }, errors: [400, 401] },
  { apis: pub, method: 'post', path: '/oauth2/revoke', operationId: 'revokeOAuth2Token', summary: 'Revoke a token (RFC 7009)',
    description: 'Revoking a refresh token revokes its whole family. Unknown tokens are not an error (RFC 7009 §2.2).',
    body: { schema: RevocationRequest, form: true }, security: clientAuth,
    responses: { 200: { description: 'Revoked, or nothing to revoke. Empty body.' } }, errors: [400, 401] },
];

/** RFC 8628, with Hydra's operation ids. */
const device: Operation[] = [
  { apis: pub, method: 'post', path: '/oauth2/device/auth', operationId: 'oAuth2DeviceFlow', summary: 'The device authorization endpoint (RFC 8628 §3.1)',
    description: 'The client must be registered for `urn:ietf:params:oauth:grant-type:device_code`; confidential clients authenticate as at the token endpoint. The device then polls the token endpoint with that grant type and `device_code`: `authorization_pending`, `slow_down` (polled faster than `interval`; the interval grows by 5 s), `access_denied`, `expired_token`, then the tokens, once.',
    body: { schema: DeviceAuthorizationRequest, form: true }, security: clientAuth,
    responses: { 200: { description: 'The device and user codes (RFC 8628 §3.2).', json: DeviceAuthorization } }, errors: [400, 401] },
  { apis: pub, method: 'get', path: '/oauth2/device/verify', operationId: 'performOAuth2DeviceVerificationFlow', summary: 'The device verification endpoint (RFC 8628 §3.3)',
    description: 'Without a verifier: a device challenge, and a redirect to `urls.device.verification?device_challenge=…` (with `user_code` when one was given). With `device_verifier`, `login_verifier` or `consent_verifier`: the next step of the flow, ending at `urls.device.success?client_id=…`. Errors are shown here (or sent to `urls.error`).',
    query: z.object({
      user_code: z.string().optional().describe('From `verification_uri_complete`: passed on for the code page to pre-fill.'),
      device_verifier: z.string().optional(),
      login_verifier: z.string().optional(),
      consent_verifier: z.string().optional(),
      client_id: z.string().optional(),
    }),
    responses: { 302: { description: 'To the code page, the login app, the consent app, or `urls.device.success`.', headers: locationHeader } }, errors: [400, 403] },
];

const authorizeAnswers: Readonly<Record<number, ResponseSpec>> = {
  302: {
    description: 'To the login app (`login_challenge`), the consent app (`consent_challenge`), or the client\'s redirect_uri with `code`, `state` and `iss` (RFC 9207), or with `error` once the client and redirect_uri are trusted.',
    headers: locationHeader,
  },
};
const authorizeDescription =
  'Errors found before the client and its redirect_uri are validated are never redirected there: they are answered here (400), or sent to `urls.error` when configured.';

const authorize: Operation[] = [
  { apis: pub, method: 'get', path: '/oauth2/auth', operationId: 'oAuth2Authorize', summary: 'The authorization endpoint (RFC 6749 §4.1.1)',
    description: authorizeDescription, query: AuthorizationRequest, responses: authorizeAnswers, errors: [400] },
  { apis: pub, method: 'post', path: '/oauth2/auth', operationId: 'oAuth2AuthorizeWithForm', summary: 'The authorization endpoint, form-posted (OpenID Connect Core §3.1.2.1)',
    description: authorizeDescription, body: { schema: AuthorizationRequest, form: true, required: false }, responses: authorizeAnswers, errors: [400] },
];

const endSessionAnswers: Readonly<Record<number, ResponseSpec>> = {
  200: { description: 'The signed-out page, with the clients\' front-channel logout iframes, going on to the destination.', html: true },
  302: { description: 'To the logout app (`logout_challenge`); or, with no session or once logged out, to `post_logout_redirect_uri` (with `state`) or `urls.post_logout_redirect`.', headers: locationHeader },
};
const endSessionDescription = 'A post_logout_redirect_uri must be registered, exactly, for the client named by id_token_hint or client_id; otherwise the request is refused here (400), never redirected.';

const logout: Operation[] = [
  { apis: pub, method: 'get', path: '/oauth2/sessions/logout', operationId: 'revokeOidcSession', summary: 'The end-session endpoint (OpenID Connect RP-Initiated Logout 1.0)',
    description: endSessionDescription, query: EndSessionRequest, responses: endSessionAnswers, errors: [400] },
  { apis: pub, method: 'post', path: '/oauth2/sessions/logout', operationId: 'revokeOidcSessionWithForm', summary: 'The end-session endpoint, form-posted',
    description: endSessionDescription, body: { schema: EndSessionRequest, form: true, required: false }, responses: endSessionAnswers, errors: [400] },
];

const userinfoAnswers: Readonly<Record<number, ResponseSpec>> = {
  200: { description: '`sub` and the `id_token` claims the consent app granted.', json: OidcUserInfo },
};
const userinfoDescription = 'The access token goes in the Authorization header only (RFC 9700 §2.4): one in the query or body is refused. It must have been granted `openid`. A DPoP-bound token (RFC 9449) is sent as `Authorization: DPoP <token>` with a `DPoP` proof naming it in `ath`; as Bearer it is refused, as is an unbound token sent with the DPoP scheme (401 with a `WWW-Authenticate: DPoP` challenge).';

const userinfo: Operation[] = [
  { apis: pub, method: 'get', path: '/userinfo', operationId: 'getOidcUserInfo', summary: 'The UserInfo endpoint (OpenID Connect Core §5.3)',
    description: userinfoDescription, security: { schemes: ['bearer'] }, responses: userinfoAnswers, errors: [401, 403] },
  { apis: pub, method: 'post', path: '/userinfo', operationId: 'getOidcUserInfoWithPost', summary: 'The UserInfo endpoint, by POST',
    description: userinfoDescription, security: { schemes: ['bearer'] }, responses: userinfoAnswers, errors: [401, 403] },
];

/** RFC 9126; an extension (Hydra has no PAR), in Hydra's style. */
const pushed: Operation[] = [
  { apis: pub, method: 'post', path: '/oauth2/par', operationId: 'pushOAuth2AuthorizationRequest', summary: 'Push an authorization request (RFC 9126; extension)',
    description: 'The parameters of an authorization request, checked as /oauth2/auth checks them, with the client authenticated as at the token endpoint. The answer\'s `request_uri` starts a flow once: `/oauth2/auth?client_id=…&request_uri=…` runs from the pushed parameters only. Errors are answered here as JSON, never redirected. A `DPoP` proof sent here binds the code to its key, as `dpop_jkt` does (RFC 9449 §10.1).',
    body: { schema: PushedAuthorizationRequest, form: true }, security: clientAuth,
    responses: { 201: { description: 'The request_uri and its lifetime in seconds (RFC 9126 §2.2).', json: PushedAuthorizationResponse } }, errors: [400, 401] },
];

export const sharedOperations: readonly Operation[] = shared;

export const publicOperations: readonly Operation[] = [
  discovery('/.well-known/openid-configuration', 'discoverOidcConfiguration', 'OpenID Connect Discovery 1.0 metadata'),
  discovery('/.well-known/oauth-authorization-server', 'discoverOAuth2AuthorizationServer', 'RFC 8414 authorization server metadata (the same document)'),
  { apis: pub, method: 'get', path: '/.well-known/jwks.json', operationId: 'discoverJsonWebKeys', summary: 'The public keys that verify ID tokens and JWT access tokens',
    responses: { 200: { description: 'Public members only.', json: JsonWebKeySet } } },
  ...tokens,
  ...device,
  ...pushed,
  ...authorize,
  ...logout,
  ...userinfo,
  ...leakPublicOperations,
  ...clientAuthPublicOperations,
];
