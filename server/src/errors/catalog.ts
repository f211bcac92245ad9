import { OAuth2Error, type ErrorCode } from './oauth2-error.js';

function factory(error: ErrorCode, status: number, description: string) {
  return (hint?: string): OAuth2Error => new OAuth2Error({ error, status, description, hint });
}

// Descriptions follow fosite's wording so Hydra users recognise them.
export const invalidRequest = factory(
  'invalid_request',
  400,
  'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.',
);
export const invalidClient = factory(
  'invalid_client',
  401,
  'Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).',
);
export const invalidGrant = factory(
  'invalid_grant',
  400,
  'The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
);
/** fosite's ErrUnsupportedResponseMode (OAuth 2.0 Multiple Response Type Encoding Practices §2.1). */
export const unsupportedResponseMode = factory(
  'unsupported_response_mode',
  400,
  'The authorization server does not support obtaining a response using this response mode.',
);
export const invalidScope = factory('invalid_scope', 400, 'The requested scope is invalid, unknown, or malformed.');
/** RFC 8707 §2 / RFC 8693 §2.2.2: a requested resource or audience the server will not issue a token for. */
export const invalidTarget = factory('invalid_target', 400, 'The requested resource is invalid, missing, unknown, or malformed.');
export const accessDenied = factory('access_denied', 403, 'The resource owner or authorization server denied the request.');
export const invalidClientMetadata = factory(
  'invalid_client_metadata',
  400,
  'The value of one of the Client Metadata fields is invalid and the server has rejected this request.',
);
export const invalidRedirectUri = factory(
  'invalid_redirect_uri',
  400,
  'The value of one or more redirect_uris is invalid.',
);
export const notFound = factory('not_found', 404, 'Unable to locate the resource.');
export const conflict = factory('conflict', 409, 'Unable to create the resource because it already exists.');
export const methodNotAllowed = factory('method_not_allowed', 405, 'The request method is not supported by this resource.');
export const payloadTooLarge = factory('request_entity_too_large', 413, 'The request body is too large.');
export const unsupportedMediaType = factory('unsupported_media_type', 415, 'The request body has an unsupported content type.');
/**
 * A form endpoint's body of another media type: 415, with the one code RFC
 * 6749 §5.2 offers for it, so OAuth client libraries recognise the answer.
 */
export const unsupportedFormType = factory(
  'invalid_request',
  415,
  'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.',
);
export const serverError = factory(
  'server_error',
  500,
  'The authorization server encountered an unexpected condition that prevented it from fulfilling the request.',
);
export const temporarilyUnavailable = factory(
  'temporarily_unavailable',
  503,
  'The authorization server is currently unable to handle the request due to a temporary overloading or maintenance of the server.',
);
export const unauthorizedClient = factory(
  'unauthorized_client',
  400,
  'The client is not authorized to request a token using this method.',
);
export const unsupportedGrantType = factory(
  'unsupported_grant_type',
  400,
  'The authorization grant type is not supported by the authorization server.',
);
export const invalidToken = factory(
  'invalid_token',
  401,
  'The access token provided is expired, revoked, malformed, or invalid for other reasons.',
);
/** RFC 9110 §15.5.20: this server does not answer for the host the request names (admin allow-list). */
export const misdirectedRequest = factory('invalid_request', 421, 'The request was directed at a host name this server does not answer for.');
/** fosite's ErrRequestUnauthorized: no credentials at all (RFC 6750 §3.1: then the challenge carries no error code). */
export const requestUnauthorized = factory('request_unauthorized', 401, 'The request could not be authorized.');
export const requestForbidden = factory('request_forbidden', 403, 'The request is not allowed.');
export const consentRequired = factory('consent_required', 400, 'The authorization server requires end-user consent.');

/** A caller over its request budget (issue 18: signed leak reports). */
export const rateLimited = (retryAfterSeconds: number): OAuth2Error =>
  new OAuth2Error({
    error: 'too_many_requests',
    status: 429,
    description: 'Too many requests from this caller.',
    hint: `Try again in ${retryAfterSeconds} seconds.`,
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });

/**
 * RFC 6585 §4 with `Retry-After` (RFC 9110 §10.2.3): too many failed client
 * authentications (RFC 6749 §10.10). RFC 6749 has no code for it; this one
 * names the status, as RFC 8628's `slow_down` would mislead a token client.
 */
export const tooManyRequests = (retryAfterSeconds: number): OAuth2Error =>
  new OAuth2Error({
    error: 'too_many_requests',
    status: 429,
    description: 'Too many failed attempts to authenticate this client.',
    hint: `Try again in ${retryAfterSeconds} seconds.`,
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });

// RFC 8628 §3.5, with fosite's wording (ErrAuthorizationPending, ErrSlowDown, ErrDeviceExpiredToken).
export const authorizationPending = factory(
  'authorization_pending',
  400,
  "The authorization request is still pending as the end user hasn't yet completed the user-interaction steps.",
);
export const slowDown = factory('slow_down', 400, 'The authorization request was rate-limited to prevent system overload.');
export const expiredToken = factory('expired_token', 400, 'The device_code has expired, and the device authorization session has concluded.');
