import { z } from 'zod';

/*
 * Public OAuth 2.0 endpoints (RFC 6749, RFC 7009) and admin introspection
 * (RFC 7662 with Hydra's fields). Form bodies arrive as string maps.
 */

const param = z.string().max(4096);

/** `POST /oauth2/token`, fields common to every grant; each grant checks its own. */
export const TokenRequest = z.looseObject({
  grant_type: param,
  client_id: param.optional(),
  client_secret: param.optional(),
  scope: param.optional(),
  audience: param.optional(),
  code: param.optional(),
  redirect_uri: param.optional(),
  code_verifier: param.optional(),
  refresh_token: param.optional(),
  /** RFC 7523 §2.2 (private_key_jwt, client_secret_jwt). */
  client_assertion: param.optional(),
  client_assertion_type: param.optional(),
  /** RFC 7523 §2.1 (the jwt-bearer grant). */
  assertion: param.optional(),
  /** RFC 8628 §3.4, with grant_type `urn:ietf:params:oauth:grant-type:device_code`. */
  device_code: param.optional(),
  /** RFC 8707 §2 (extension): repeatable; repeats arrive joined by a space, as `audience` does. */
  resource: param
    .optional()
    .describe(
      'RFC 8707 resource indicator (extension): an absolute URI without a fragment; repeatable. With a code, refresh token or device code: narrows the access token\'s audience to these granted resources (the refresh token keeps the whole grant). With client_credentials or jwt-bearer: audiences to request, as `audience` (both: the union). Otherwise `invalid_target`.',
    ),
  /** RFC 8693 §2.1 (token exchange, extension: not in Hydra). Tokens may be JWTs, hence the longer limit. */
  subject_token: z.string().max(16384).optional(),
  subject_token_type: param.optional(),
  actor_token: z.string().max(16384).optional(),
  actor_token_type: param.optional(),
  requested_token_type: param.optional(),
});
export type TokenRequest = z.infer<typeof TokenRequest>;

/** `POST /oauth2/device/auth` (RFC 8628 §3.1); confidential clients authenticate as at the token endpoint. */
export const DeviceAuthorizationRequest = z.looseObject({
  client_id: param.optional(),
  client_secret: param.optional(),
  client_assertion: param.optional(),
  client_assertion_type: param.optional(),
  scope: param.optional(),
  audience: param.optional(),
  /** RFC 8707 §2 (extension), as at /oauth2/auth. */
  resource: param.optional().describe('RFC 8707 resource indicator (extension): an absolute URI without a fragment, one of the client\'s audiences; repeatable. Requested as `audience` is.'),
});
export type DeviceAuthorizationRequest = z.infer<typeof DeviceAuthorizationRequest>;

/** RFC 8628 §3.2, Hydra's `deviceAuthorization`. */
export const DeviceAuthorization = z.object({
  device_code: z.string(),
  user_code: z.string(),
  verification_uri: z.string(),
  verification_uri_complete: z.string(),
  expires_in: z.number().int(),
  interval: z.number().int(),
});
export type DeviceAuthorization = z.infer<typeof DeviceAuthorization>;

/**
 * `POST /oauth2/par` (RFC 9126 §2.1; extension: not in Hydra): the
 * authorization request's parameters, plus the client's authentication as at
 * the token endpoint. Checked as /oauth2/auth checks them.
 */
export const PushedAuthorizationRequest = z.looseObject({
  client_id: param.optional(),
  client_secret: param.optional(),
  client_assertion: param.optional(),
  client_assertion_type: param.optional(),
});
export type PushedAuthorizationRequest = z.infer<typeof PushedAuthorizationRequest>;

/** RFC 9126 §2.2. */
export const PushedAuthorizationResponse = z.object({
  request_uri: z.string(),
  expires_in: z.number().int(),
});
export type PushedAuthorizationResponse = z.infer<typeof PushedAuthorizationResponse>;

/** RFC 6749 §5.1; `token_type` is lowercase `bearer`, as Hydra sends it, or `DPoP` for a DPoP-bound token (RFC 9449 §5). */
export const TokenResponse = z.object({
  access_token: z.string(),
  token_type: z.enum(['bearer', 'DPoP']),
  expires_in: z.number().int(),
  scope: z.string(),
  refresh_token: z.string().optional(),
  id_token: z.string().optional(),
  /** RFC 8693 §2.2.1: token exchange answers only. */
  issued_token_type: z.string().optional(),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

/** `POST /oauth2/revoke` (RFC 7009 §2.1). */
export const RevocationRequest = z.looseObject({
  token: param,
  token_type_hint: param.optional(),
  client_id: param.optional(),
  client_secret: param.optional(),
  client_assertion: param.optional(),
  client_assertion_type: param.optional(),
});
export type RevocationRequest = z.infer<typeof RevocationRequest>;

/** `POST /admin/oauth2/introspect` (RFC 7662 §2.1). */
export const IntrospectionRequest = z.looseObject({
  token: param,
  scope: param.optional(),
  token_type_hint: param.optional(),
  /** Client authentication, read only for a JWT answer (RFC 9701, extension): as at the token endpoint. */
  client_id: param.optional(),
  client_secret: param.optional(),
  client_assertion: param.optional(),
  client_assertion_type: param.optional(),
});
export type IntrospectionRequest = z.infer<typeof IntrospectionRequest>;

/** Hydra's hint, word for word (oauth2/handler.go `deleteOAuth2Token`). */
const CLIENT_ID_MISSING = "Query parameter 'client_id' is not defined but it should have been";

/** `DELETE /admin/oauth2/tokens?client_id=` (Hydra's `deleteOAuth2Token`): the client whose access tokens go. */
export const DeleteOAuth2TokensQuery = z.object({
  client_id: z
    .string({ error: (issue) => (issue.input === undefined ? CLIENT_ID_MISSING : undefined) })
    .min(1, CLIENT_ID_MISSING)
    .max(255)
    .describe('The client whose access tokens are deleted.'),
});
export type DeleteOAuth2TokensQuery = z.infer<typeof DeleteOAuth2TokensQuery>;

/** RFC 7662 §2.2 with Hydra's IntrospectedOAuth2Token fields. */
export const IntrospectedOAuth2Token = z.object({
  active: z.boolean(),
  scope: z.string().optional(),
  client_id: z.string().optional(),
  sub: z.string().optional(),
  exp: z.number().int().optional(),
  iat: z.number().int().optional(),
  nbf: z.number().int().optional(),
  aud: z.array(z.string()).optional(),
  iss: z.string().optional(),
  token_type: z.string().optional(),
  token_use: z.enum(['access_token', 'refresh_token']).optional(),
  ext: z.record(z.string(), z.unknown()).optional(),
  /** Hydra's: the pairwise subject (OIDC Core §8.1) the client sees in ID tokens and userinfo, when it differs from `sub`. */
  obfuscated_subject: z.string().optional(),
  /** RFC 9449 §6.2 (extension): the DPoP key thumbprint a bound token is tied to; such an access token has `token_type` "DPoP". */
  cnf: z.object({ jkt: z.string() }).optional(),
  /** RFC 8693 §4.1: who acts for `sub` (token exchange with an actor token; nested for earlier actors). Extension. */
  act: z.record(z.string(), z.unknown()).optional(),
});
export type IntrospectedOAuth2Token = z.infer<typeof IntrospectedOAuth2Token>;

/*
 * The browser-facing endpoints read plain parameters (query or form). These
 * schemas say which ones they read; the server checks their meaning itself
 * (OAuth2Error with the RFC code, redirected to the client once it is trusted).
 */
const opt = (description: string) => param.optional().describe(description);

/** `GET`/`POST /oauth2/auth`: RFC 6749 §4.1.1, OpenID Connect Core §3.1.2.1, RFC 7636; and the way back from the login/consent app. */
export const AuthorizationRequest = z.looseObject({
  response_type: opt('Only "code" (implicit and hybrid flows are refused, RFC 9700 §2.1.2).'),
  client_id: opt('The client; required on a new request.'),
  redirect_uri: opt('Exactly one of the registered redirect URIs; may be left out when only one is registered.'),
  scope: opt('Space-separated scopes, each allowed for the client.'),
  state: opt('At least 8 characters; required unless PKCE is used.'),
  nonce: opt('At least 8 characters; copied into the ID token.'),
  code_challenge: opt('RFC 7636 PKCE challenge.'),
  code_challenge_method: opt('"S256".'),
  dpop_jkt: opt('RFC 9449 §10 (extension): the JWK SHA-256 thumbprint of the DPoP key the code is bound to; the code exchange must carry a DPoP proof by that key.'),
  audience: opt('Space-separated audiences, each registered for the client.'),
  resource: opt(
    'RFC 8707 resource indicator (extension): an absolute URI without a fragment, one of the client\'s audiences; repeatable. Joins `audience` in `requested_access_token_audience`; otherwise `invalid_target`.',
  ),
  response_mode: opt('Only "query".'),
  prompt: opt('"none", "login", "consent", "select_account", space-separated.'),
  max_age: opt('Seconds since the last authentication after which the user must log in again.'),
  id_token_hint: opt('An ID token this server issued, naming the expected user.'),
  login_hint: opt('Passed to the login app.'),
  acr_values: opt('Passed to the login app.'),
  ui_locales: opt('Passed to the login app.'),
  display: opt('Passed to the login app.'),
  login_verifier: opt('The browser coming back from the login app (from the accept/reject redirect_to).'),
  consent_verifier: opt('The browser coming back from the consent app (from the accept/reject redirect_to).'),
});
export type AuthorizationRequest = z.infer<typeof AuthorizationRequest>;

/** `GET`/`POST /oauth2/sessions/logout`: OpenID Connect RP-Initiated Logout 1.0 §2; and the way back from the logout app. */
export const EndSessionRequest = z.looseObject({
  id_token_hint: opt('An ID token this server issued to the client asking for the logout.'),
  client_id: opt('The client asking for the logout (enough on its own, unlike Hydra); must be an audience of id_token_hint when both are sent.'),
  post_logout_redirect_uri: opt('Registered, exactly, for that client.'),
  state: opt('Returned to post_logout_redirect_uri.'),
  logout_verifier: opt('The browser coming back from the logout app (from the accept redirect_to).'),
});
export type EndSessionRequest = z.infer<typeof EndSessionRequest>;

/** OpenID Connect Core §5.3.2: `sub` and the `id_token` claims the consent app granted. */
export const OidcUserInfo = z.looseObject({ sub: z.string() });
export type OidcUserInfo = z.infer<typeof OidcUserInfo>;
