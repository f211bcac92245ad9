import { z } from 'zod';
import { GoDuration, OAuth2Client } from './clients.js';
import { JsonWebKey } from './keys.js';

/*
 * Client secret rotation (an extension), dynamic client registration
 * (RFC 7591/7592 as Hydra serves it) and the jwt-bearer trust API (Hydra's
 * `oauth2/trust`).
 */

/** `POST /admin/clients/{id}/secret` (extension). */
export const RotateClientSecretRequest = z.object({
  /** How long the previous secret keeps working (Go duration; `0s` ends it now); `oauth2.client_secret_rotation.grace_period` when absent. */
  grace_period: GoDuration.optional(),
});
export type RotateClientSecretRequest = z.infer<typeof RotateClientSecretRequest>;

/** The client with its new `client_secret`, shown this once. */
export const RotatedClientSecret = OAuth2Client.extend({
  /** RFC 3339; absent when the previous secret stopped working at once. */
  previous_secret_expires_at: z.string().optional(),
});
export type RotatedClientSecret = z.infer<typeof RotatedClientSecret>;

/** What `/oauth2/register` answers (RFC 7591 §3.2.1, RFC 7592 §3). */
export const OidcDynamicClient = OAuth2Client.extend({
  /** Not shown to the client itself (Hydra leaves it out of GET /oauth2/register/{id}). */
  metadata: z.record(z.string(), z.unknown()).optional(),
  registration_access_token: z.string().optional(),
  registration_client_uri: z.string().optional(),
});
export type OidcDynamicClient = z.infer<typeof OidcDynamicClient>;

/** Hydra's trustOAuth2JwtGrantIssuer body. */
export const TrustOAuth2JwtGrantIssuer = z.object({
  issuer: z.string().min(1).max(255),
  subject: z.string().max(255).optional(),
  allow_any_subject: z.boolean().optional(),
  scope: z.array(z.string().max(255)).max(100),
  jwk: JsonWebKey,
  expires_at: z.iso.datetime({ offset: true }),
});
export type TrustOAuth2JwtGrantIssuer = z.infer<typeof TrustOAuth2JwtGrantIssuer>;

/** Hydra's trustedOAuth2JwtGrantIssuer. */
export const TrustedOAuth2JwtGrantIssuer = z.object({
  id: z.string(),
  issuer: z.string(),
  subject: z.string(),
  allow_any_subject: z.boolean(),
  scope: z.array(z.string()),
  public_key: z.object({ set: z.string(), kid: z.string() }),
  expires_at: z.string(),
  created_at: z.string(),
});
export type TrustedOAuth2JwtGrantIssuer = z.infer<typeof TrustedOAuth2JwtGrantIssuer>;

export const ListTrustedIssuersQuery = z.object({
  page_size: z.coerce.number().int().min(1).max(500).default(250),
  page_token: z.string().max(512).optional(),
  issuer: z.string().max(255).optional(),
});
export type ListTrustedIssuersQuery = z.infer<typeof ListTrustedIssuersQuery>;
