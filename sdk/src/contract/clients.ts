import { z } from 'zod';
import { absent, withDefault, withoutNulls } from './absent.js';

/**
 * OAuth2Client as Ory Hydra v2 sends and accepts it (`client/client.go`,
 * `spec/api.json`). The schemas here check structure only; the server checks
 * meaning (RFC 7591 rules, consistency of grant and response types).
 */

const stringList = z.array(z.string());
/** Hydra sends `null` for empty lists; both are accepted on input. Bounds keep rows sane. */
const optionalList = z.array(z.string().max(2048)).max(100).nullish();
const optionalString = z.string().max(2048).nullish();
const optionalName = z.string().max(1024).nullish();

/** Go duration string (`1h`, `30m`, `1h30m`, `500ms`), `null` for "use the default". */
export const GoDuration = z
  .string()
  .regex(/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/, 'must be a duration such as "1h", "30m" or "1h30m"');

export const lifespanFields = [
  'authorization_code_grant_access_token_lifespan',
  'authorization_code_grant_id_token_lifespan',
  'authorization_code_grant_refresh_token_lifespan',
  'client_credentials_grant_access_token_lifespan',
  'implicit_grant_access_token_lifespan',
  'implicit_grant_id_token_lifespan',
  'jwt_bearer_grant_access_token_lifespan',
  'refresh_token_grant_access_token_lifespan',
  'refresh_token_grant_id_token_lifespan',
  'refresh_token_grant_refresh_token_lifespan',
  'device_authorization_grant_access_token_lifespan',
  'device_authorization_grant_id_token_lifespan',
  'device_authorization_grant_refresh_token_lifespan',
] as const;
export type LifespanField = (typeof lifespanFields)[number];

const lifespanShape = Object.fromEntries(
  lifespanFields.map((field) => [field, GoDuration.nullish()]),
) as Record<LifespanField, z.ZodOptional<z.ZodNullable<typeof GoDuration>>>;

/** Body of `PUT /admin/clients/{id}/lifespans`. */
export const OAuth2ClientTokenLifespans = z.object(lifespanShape);
export type OAuth2ClientTokenLifespans = z.infer<typeof OAuth2ClientTokenLifespans>;

/** A registered public key; a member that is `null` is absent, as go-jose reads it. */
export const JsonWebKeyShape = z
  .looseObject({
    kty: z.string(),
    kid: absent(z.string()),
    alg: absent(z.string()),
    use: absent(z.string()),
  })
  .transform(withoutNulls);

/** Fields a caller may send when creating or replacing a client. Unknown fields are ignored, as Hydra does. */
export const OAuth2ClientInput = z.object({
  client_id: z.string().max(255).nullish(),
  client_name: optionalName,
  client_secret: optionalString,
  client_secret_expires_at: z.number().int().nullish(),
  redirect_uris: optionalList,
  grant_types: optionalList,
  response_types: optionalList,
  scope: z.string().max(8192).nullish(),
  audience: optionalList,
  owner: optionalName,
  policy_uri: optionalString,
  tos_uri: optionalString,
  client_uri: optionalString,
  logo_uri: optionalString,
  contacts: optionalList,
  allowed_cors_origins: optionalList,
  request_uris: optionalList,
  request_object_signing_alg: optionalString,
  token_endpoint_auth_method: optionalString,
  token_endpoint_auth_signing_alg: optionalString,
  userinfo_signed_response_alg: optionalString,
  /** OIDC Dynamic Client Registration 1.0 §2; default RS256. Not in Hydra's client model. */
  id_token_signed_response_alg: optionalString,
  // go-jose: `"keys": null` (or none) is an empty set.
  jwks: z.object({ keys: withDefault(z.array(JsonWebKeyShape).max(20), []) }).nullish(),
  jwks_uri: optionalString,
  subject_type: optionalString,
  sector_identifier_uri: optionalString,
  post_logout_redirect_uris: optionalList,
  frontchannel_logout_uri: optionalString,
  frontchannel_logout_session_required: z.boolean().nullish(),
  backchannel_logout_uri: optionalString,
  backchannel_logout_session_required: z.boolean().nullish(),
  skip_consent: z.boolean().nullish(),
  skip_logout_consent: z.boolean().nullish(),
  /** RFC 9126 §6: this client's authorization requests must come through POST /oauth2/par (extension: not in Hydra). */
  require_pushed_authorization_requests: z.boolean().nullish(),
  /** RFC 9449 §5.2: every token request must carry a DPoP proof, so every access token is sender-constrained (extension: not in Hydra). */
  dpop_bound_access_tokens: z.boolean().nullish(),
  /** RFC 8693 §1.1: token exchange without an actor token (impersonation) is allowed for this client (extension: not in Hydra). */
  allow_token_exchange_impersonation: z.boolean().nullish(),
  access_token_strategy: optionalString,
  /** Tessera extension: the JWS algorithm of the client's JWT access tokens (RFC 9068); default RS256. */
  access_token_signed_response_alg: optionalString,
  metadata: z.record(z.string(), z.unknown()).nullish(),
  ...lifespanShape,
});
export type OAuth2ClientInput = z.infer<typeof OAuth2ClientInput>;

/** What the admin API answers. `client_secret` appears only in the answer to a create. */
export const OAuth2Client = z.object({
  client_id: z.string(),
  client_name: z.string(),
  client_secret: z.string().optional(),
  client_secret_expires_at: z.number().int(),
  redirect_uris: stringList,
  grant_types: stringList,
  response_types: stringList,
  scope: z.string(),
  audience: stringList,
  owner: z.string(),
  policy_uri: z.string(),
  tos_uri: z.string(),
  client_uri: z.string(),
  logo_uri: z.string(),
  contacts: stringList,
  allowed_cors_origins: stringList,
  request_uris: stringList,
  request_object_signing_alg: z.string(),
  token_endpoint_auth_method: z.string(),
  token_endpoint_auth_signing_alg: z.string(),
  userinfo_signed_response_alg: z.string(),
  // A server without the field signs RS256, the OIDC Registration §2 default.
  id_token_signed_response_alg: z.string().default('RS256'),
  jwks: z.object({ keys: z.array(JsonWebKeyShape) }).optional(),
  jwks_uri: z.string(),
  subject_type: z.string(),
  sector_identifier_uri: z.string(),
  post_logout_redirect_uris: stringList,
  frontchannel_logout_uri: z.string(),
  frontchannel_logout_session_required: z.boolean(),
  backchannel_logout_uri: z.string(),
  backchannel_logout_session_required: z.boolean(),
  skip_consent: z.boolean(),
  skip_logout_consent: z.boolean(),
  /** Present when set (extension, RFC 9126 §6). */
  require_pushed_authorization_requests: z.boolean().optional(),
  /** Present when set (extension, RFC 9449 §5.2). */
  dpop_bound_access_tokens: z.boolean().optional(),
  /** Present when set (extension, RFC 8693 §1.1: token exchange without an actor token). */
  allow_token_exchange_impersonation: z.boolean().optional(),
  access_token_strategy: z.string().optional(),
  /** Tessera extension: the JWS algorithm of the client's JWT access tokens (RFC 9068). */
  access_token_signed_response_alg: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()),
  created_at: z.string(),
  updated_at: z.string(),
  ...lifespanShape,
});
export type OAuth2Client = z.infer<typeof OAuth2Client>;

/** Query of `GET /admin/clients`. */
export const ListClientsQuery = z.object({
  page_size: z.coerce.number().int().min(1).max(500).default(250),
  page_token: z.string().max(512).optional(),
  client_name: z.string().max(1024).optional(),
  owner: z.string().max(1024).optional(),
});
export type ListClientsQuery = z.infer<typeof ListClientsQuery>;
export type ListClientsQueryInput = { page_size?: number; page_token?: string; client_name?: string; owner?: string };

/** One RFC 6902 operation, as `PATCH /admin/clients/{id}` takes them. */
export const JsonPatchOperation = z.object({
  op: z.enum(['add', 'remove', 'replace', 'move', 'copy', 'test']),
  path: z.string(),
  from: absent(z.string()),
  value: z.unknown().optional(),
});
export const JsonPatchDocument = z.array(JsonPatchOperation).max(200);
export type JsonPatchDocument = z.infer<typeof JsonPatchDocument>;
