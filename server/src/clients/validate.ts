import type { OAuth2ClientInput } from '@tessera/sdk';
import { lifespanFields } from '@tessera/sdk';
import { invalidClientMetadata } from '../errors/catalog.js';
import { isPrivate } from '../keys/jwk.js';
import { ALG_ORDER } from '../keys/choose.js';
import type { Client } from './client.js';
import { checkOrigin, checkRedirectUri, checkWebUri, type UriPolicy } from './uris.js';
import { refuseUrl, type OutboundPolicy } from '../lib/outbound-policy.js';
import { canonicalResponseType, grantsFor, responseParts, RESPONSE_TYPES } from '../oauth2/authorize/checks/response-type.js';

/*
 * Client metadata rules: RFC 7591 §2 and §3.2.2, Hydra's client/validator.go,
 * and RFC 9700 where Hydra is looser (grant and response types must agree).
 */

export const SUPPORTED_GRANT_TYPES: readonly string[] = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'implicit',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:token-exchange',
];
export const SUPPORTED_RESPONSE_TYPES: readonly string[] = RESPONSE_TYPES;
export const AUTH_METHODS: readonly string[] = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'client_secret_jwt', 'none'];
const HMAC_ALGS = ['HS256', 'HS384', 'HS512'];
const SIGNING_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
/** Hydra's default for a client created without `scope`. */
export const DEFAULT_SCOPE = 'offline_access offline openid';
/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export interface ValidationPolicy extends UriPolicy {
  readonly subjectTypes: readonly string[];
  /** Where the server itself may send requests (backchannel_logout_uri). */
  readonly outbound: OutboundPolicy;
}

/*
 * URIs by who loads them. The server POSTs to backchannel_logout_uri: SSRF
 * rules (lib/outbound-policy.ts), checked here and again at each delivery.
 * The browser loads frontchannel_logout_uri in an iframe of the logout page
 * (Front-Channel Logout 1.0 §2: https SHOULD be used): https, http only on
 * loopback or under --dev, as for redirect URIs. jwks_uri is fetched for
 * private_key_jwt (oauth2/client-auth/remote-keys.ts) and sector_identifier_uri
 * at registration of a pairwise client (clients/sector.ts), both through
 * lib/outbound-request.ts; request_uris are stored but never fetched (request
 * objects are not served); a fetcher for them must go through it too.
 */
const HTTPS_ONLY = new Set(['sector_identifier_uri', 'frontchannel_logout_uri']);

function checkBackchannelUri(value: string, policy: ValidationPolicy): void {
  const refused = refuseUrl(new URL(value), policy.outbound);
  if (refused) throw invalidClientMetadata(`backchannel_logout_uri: "${value}" is not allowed: ${refused}.`);
}

/** The client's metadata, checked and with defaults filled in; who it is and its secret are handled by the service. */
export type ClientMetadata = Omit<Client, 'client_id' | 'secret_hash' | 'created_at' | 'updated_at'>;

function oneOf(field: string, value: string, allowed: readonly string[]): string {
  if (!allowed.includes(value)) {
    throw invalidClientMetadata(`${field}: "${value}" is not supported; use one of ${allowed.join(', ')}.`);
  }
  return value;
}

function normalizeScope(scope: string | null | undefined): string {
  if (scope === null || scope === undefined) return DEFAULT_SCOPE;
  const tokens = scope.split(' ').filter((t) => t !== '');
  for (const token of tokens) {
    if (!SCOPE_TOKEN.test(token)) throw invalidClientMetadata(`scope: "${token}" has characters RFC 6749 §3.3 does not allow.`);
  }
  return [...new Set(tokens)].join(' ');
}

/**
 * OpenID Connect Registration §2's table: each response type needs its grant
 * types, and each grant type a response type that uses it (RFC 7591 §2.1).
 * Implicit and hybrid types are served, opt-in: a client gets them only by
 * registering them (RFC 9700 §2.1.2 advises against them; docs/flows.md).
 */
function grantsAndResponses(input: OAuth2ClientInput): { grant_types: string[]; response_types: string[] } {
  const grant_types = [...new Set(input.grant_types?.length ? input.grant_types : ['authorization_code'])];
  for (const grant of grant_types) oneOf('grant_types', grant, SUPPORTED_GRANT_TYPES);
  const usesCode = grant_types.includes('authorization_code');
  const requested = input.response_types?.length ? input.response_types : usesCode ? ['code'] : [];
  const response_types = [...new Set(requested.map(canonicalType))];
  for (const type of response_types) {
    const missing = grantsFor(responseParts(type) ?? []).find((grant) => !grant_types.includes(grant));
    if (missing !== undefined) throw invalidClientMetadata(`response_types: "${type}" needs "${missing}" in grant_types (OpenID Connect Registration §2).`);
  }
  const uses = (grant: string) => response_types.some((type) => grantsFor(responseParts(type) ?? []).includes(grant));
  if (usesCode && !uses('authorization_code')) {
    throw invalidClientMetadata('grant_types: "authorization_code" needs "code" in response_types (RFC 7591 §2.1).');
  }
  if (grant_types.includes('implicit') && !uses('implicit')) {
    throw invalidClientMetadata('grant_types: "implicit" needs a response type that returns a token, such as "id_token" or "token" (RFC 7591 §2.1).');
  }
  return { grant_types, response_types };
}

/** A registered response type in canonical order ("id_token code" is stored as "code id_token"). */
function canonicalType(type: string): string {
  const canonical = canonicalResponseType(type);
  if (canonical === undefined) throw invalidClientMetadata(`response_types: "${type}" is not supported; use one of ${SUPPORTED_RESPONSE_TYPES.join(', ')}.`);
  return canonical;
}

function keysAndMethod(input: OAuth2ClientInput, policy: ValidationPolicy) {
  const method = oneOf('token_endpoint_auth_method', input.token_endpoint_auth_method || 'client_secret_basic', AUTH_METHODS);
  const jwksUri = input.jwks_uri ?? '';
  if (jwksUri) checkWebUri('jwks_uri', jwksUri, policy, { httpsOnly: true });
  if (input.jwks && jwksUri) throw invalidClientMetadata('jwks and jwks_uri must not both be set (RFC 7591 §2).');
  if (input.jwks?.keys.some((k) => isPrivate(k))) throw invalidClientMetadata('jwks: only public keys may be registered.');
  if (method === 'private_key_jwt' && !input.jwks && !jwksUri) {
    throw invalidClientMetadata('token_endpoint_auth_method "private_key_jwt" needs jwks or jwks_uri.');
  }
  const signingAlg = input.token_endpoint_auth_signing_alg ?? '';
  // OIDC Core §9: client_secret_jwt MACs (HS*), private_key_jwt signs; a mismatch could never authenticate.
  if (signingAlg) oneOf('token_endpoint_auth_signing_alg', signingAlg, method === 'client_secret_jwt' ? HMAC_ALGS : SIGNING_ALGS);
  return { token_endpoint_auth_method: method, jwks_uri: jwksUri, token_endpoint_auth_signing_alg: signingAlg };
}

function uris(input: OAuth2ClientInput, policy: ValidationPolicy) {
  const redirect_uris = input.redirect_uris ?? [];
  redirect_uris.forEach((u) => checkRedirectUri('redirect_uris', u, policy));
  const post_logout_redirect_uris = input.post_logout_redirect_uris ?? [];
  post_logout_redirect_uris.forEach((u) => checkRedirectUri('post_logout_redirect_uris', u, policy));
  const web = {
    client_uri: input.client_uri ?? '',
    logo_uri: input.logo_uri ?? '',
    policy_uri: input.policy_uri ?? '',
    tos_uri: input.tos_uri ?? '',
    frontchannel_logout_uri: input.frontchannel_logout_uri ?? '',
    backchannel_logout_uri: input.backchannel_logout_uri ?? '',
    sector_identifier_uri: input.sector_identifier_uri ?? '',
  };
  for (const [field, value] of Object.entries(web)) {
    if (value) checkWebUri(field, value, policy, { httpsOnly: HTTPS_ONLY.has(field) });
  }
  if (web.backchannel_logout_uri) checkBackchannelUri(web.backchannel_logout_uri, policy);
  const request_uris = input.request_uris ?? [];
  request_uris.forEach((u) => checkWebUri('request_uris', u, policy, { httpsOnly: true }));
  const allowed_cors_origins = input.allowed_cors_origins ?? [];
  allowed_cors_origins.forEach((o) => checkOrigin('allowed_cors_origins', o));
  return { redirect_uris, post_logout_redirect_uris, request_uris, allowed_cors_origins, ...web };
}

export function validateMetadata(input: OAuth2ClientInput, policy: ValidationPolicy): ClientMetadata {
  const subject_type = oneOf('subject_type', input.subject_type || 'public', policy.subjectTypes);
  const audience = input.audience ?? [];
  if (audience.some((a) => a.trim() === '')) throw invalidClientMetadata('audience: entries must not be empty.');
  const lifespans = Object.fromEntries(lifespanFields.map((f) => [f, input[f] ?? null]));
  return {
    client_name: input.client_name ?? '',
    ...grantsAndResponses(input),
    ...keysAndMethod(input, policy),
    ...uris(input, policy),
    ...(input.jwks ? { jwks: input.jwks } : {}),
    scope: normalizeScope(input.scope),
    audience,
    owner: input.owner ?? '',
    contacts: input.contacts ?? [],
    client_secret_expires_at: 0,
    request_object_signing_alg: oneOf('request_object_signing_alg', input.request_object_signing_alg ?? '', ['', 'none', 'RS256', 'ES256']),
    // OIDC Registration §2: "none" (the default) answers userinfo as JSON; an algorithm, as a JWT signed by hydra.openid.id-token.
    userinfo_signed_response_alg: oneOf('userinfo_signed_response_alg', input.userinfo_signed_response_alg || 'none', ['none', ...ALG_ORDER]),
    // OIDC Registration §2: RS256 unless the client asks otherwise; the service checks a key of it exists.
    id_token_signed_response_alg: oneOf('id_token_signed_response_alg', input.id_token_signed_response_alg || 'RS256', ALG_ORDER),
    subject_type,
    frontchannel_logout_session_required: input.frontchannel_logout_session_required ?? false,
    backchannel_logout_session_required: input.backchannel_logout_session_required ?? false,
    skip_consent: input.skip_consent ?? false,
    skip_logout_consent: input.skip_logout_consent ?? false,
    ...(typeof input.require_pushed_authorization_requests === 'boolean' ? { require_pushed_authorization_requests: input.require_pushed_authorization_requests } : {}),
    ...(typeof input.dpop_bound_access_tokens === 'boolean' ? { dpop_bound_access_tokens: input.dpop_bound_access_tokens } : {}),
    ...(typeof input.allow_token_exchange_impersonation === 'boolean' ? { allow_token_exchange_impersonation: input.allow_token_exchange_impersonation } : {}),
    ...(input.access_token_strategy ? { access_token_strategy: oneOf('access_token_strategy', input.access_token_strategy, ['opaque', 'jwt']) } : {}),
    // Tessera extension: the JWS algorithm of the client's JWT access tokens (RFC 9068); the service checks a key of it exists.
    ...(input.access_token_signed_response_alg
      ? { access_token_signed_response_alg: oneOf('access_token_signed_response_alg', input.access_token_signed_response_alg, ALG_ORDER) }
      : {}),
    metadata: input.metadata ?? {},
    ...(lifespans as Pick<ClientMetadata, (typeof lifespanFields)[number]>),
  };
}
