import type { DiscoveryDocument } from '@tessera/sdk';
import type { HandlerResult } from '../../lib/result.js';
import { RESPONSE_MODES } from '../authorize/redirect.js';
import { SUPPORTED_AUTH_METHODS } from '../client-auth.js';
import { ASYMMETRIC_ALGS } from '../client-auth/private-key-jwt.js';
import { HMAC_ALGS } from '../client-auth/client-secret-jwt.js';
import { RESPONSE_TYPES } from '../authorize/checks/response-type.js';
import { INTROSPECTION_SIGNING_ALGS } from '../introspect/jwt-response.js';

export interface DiscoveryInput {
  readonly issuer: string;
  /** Where the public endpoints are reached (`urls.self.public`, else the issuer). */
  readonly publicBase: string;
  readonly subjectTypes: readonly string[];
  readonly grantTypes: readonly string[];
  /** What the ID-token key set can sign now (KeyService.idTokenAlgs). */
  readonly idTokenAlgs?: readonly string[];
  /** `oidc.dynamic_client_registration.enabled`: the registration endpoint is advertised (RFC 8414 §2). */
  readonly registration?: boolean;
  /** `oauth2.pushed_authorization_requests.required`. */
  readonly parRequired?: boolean;
  /** `oauth2.dpop.signing_algorithms` (RFC 9449 §5.1). */
  readonly dpopAlgs?: readonly string[];
}

/**
 * OpenID Connect Discovery 1.0 §3 and RFC 8414 §2. Lists only what this
 * build really does; each capability adds its own fields as it lands.
 */
export function discoveryDocument(input: DiscoveryInput): DiscoveryDocument {
  const { issuer, publicBase, subjectTypes, grantTypes, idTokenAlgs = ['RS256'], registration = false, parRequired = false, dpopAlgs = [] } = input;
  const base = publicBase.replace(/\/$/, '');
  return {
    issuer,
    jwks_uri: `${base}/.well-known/jwks.json`,
    authorization_endpoint: `${base}/oauth2/auth`,
    token_endpoint: `${base}/oauth2/token`,
    userinfo_endpoint: `${base}/userinfo`,
    revocation_endpoint: `${base}/oauth2/revoke`,
    end_session_endpoint: `${base}/oauth2/sessions/logout`,
    device_authorization_endpoint: `${base}/oauth2/device/auth`,
    // RFC 9126 §5 (an extension: Hydra has no PAR).
    pushed_authorization_request_endpoint: `${base}/oauth2/par`,
    require_pushed_authorization_requests: parRequired,
    frontchannel_logout_supported: true,
    frontchannel_logout_session_supported: true,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    response_types_supported: [...RESPONSE_TYPES],
    response_modes_supported: [...RESPONSE_MODES],
    grant_types_supported: [...grantTypes],
    scopes_supported: ['openid', 'offline_access', 'offline'],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'acr', 'amr', 'sid', 'at_hash', 'c_hash'],
    token_endpoint_auth_methods_supported: [...SUPPORTED_AUTH_METHODS],
    revocation_endpoint_auth_methods_supported: [...SUPPORTED_AUTH_METHODS],
    token_endpoint_auth_signing_alg_values_supported: [...ASYMMETRIC_ALGS, ...HMAC_ALGS],
    revocation_endpoint_auth_signing_alg_values_supported: [...ASYMMETRIC_ALGS, ...HMAC_ALGS],
    ...(registration ? { registration_endpoint: `${base}/oauth2/register` } : {}),
    code_challenge_methods_supported: ['S256'],
    // RFC 9207: `iss` is in every authorization response.
    authorization_response_iss_parameter_supported: true,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    claims_parameter_supported: false,
    // RFC 9449 §5.1 (an extension: Hydra has no DPoP).
    ...(dpopAlgs.length > 0 ? { dpop_signing_alg_values_supported: [...dpopAlgs] } : {}),
    subject_types_supported: [...subjectTypes],
    // Only what a key of hydra.openid.id-token can sign; RS256 is always among them (KeyService.ensureSigningKeys).
    id_token_signing_alg_values_supported: [...idTokenAlgs],
    // Signed userinfo uses the same keys (OIDC Core §5.3.2); "none" is the default plain JSON answer.
    userinfo_signing_alg_values_supported: ['none', ...idTokenAlgs],
    // RFC 9701 §7 (extension): JWT introspection answers, on the admin port's /admin/oauth2/introspect.
    introspection_signing_alg_values_supported: [...INTROSPECTION_SIGNING_ALGS],
  };
}

/**
 * The document is built once per set of ID-token algorithms: only a key
 * change alters it, and the key service caches that list like the JWKS.
 */
export function discoveryHandler(input: DiscoveryInput, idTokenAlgs: () => Promise<readonly string[]>): () => Promise<HandlerResult> {
  let built: { algs: string; body: string } | undefined;
  return async () => {
    const algs = await idTokenAlgs();
    const key = algs.join(' ');
    if (built?.algs !== key) built = { algs: key, body: JSON.stringify(discoveryDocument({ ...input, idTokenAlgs: algs })) };
    return { kind: 'json', body: built.body, headers: { 'Cache-Control': 'public, max-age=300' } };
  };
}
