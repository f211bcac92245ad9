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
});
export type TokenRequest = z.infer<typeof TokenRequest>;

/** RFC 6749 §5.1; `token_type` is lowercase `bearer`, as Hydra sends it. */
export const TokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('bearer'),
  expires_in: z.number().int(),
  scope: z.string(),
  refresh_token: z.string().optional(),
  id_token: z.string().optional(),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

/** `POST /oauth2/revoke` (RFC 7009 §2.1). */
export const RevocationRequest = z.looseObject({
  token: param,
  token_type_hint: param.optional(),
  client_id: param.optional(),
  client_secret: param.optional(),
});
export type RevocationRequest = z.infer<typeof RevocationRequest>;

/** `POST /admin/oauth2/introspect` (RFC 7662 §2.1). */
export const IntrospectionRequest = z.looseObject({
  token: param,
  scope: param.optional(),
  token_type_hint: param.optional(),
});
export type IntrospectionRequest = z.infer<typeof IntrospectionRequest>;

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
});
export type IntrospectedOAuth2Token = z.infer<typeof IntrospectedOAuth2Token>;
