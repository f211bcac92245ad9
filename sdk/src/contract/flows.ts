import { z } from 'zod';
import { OAuth2Client } from './clients.js';
import { absent } from './absent.js';

/*
 * The login and consent delegation API (Hydra v2 `flow/consent_types.go`):
 * what the login/consent app reads, and what it answers.
 */

export const OidcContext = z.object({
  acr_values: z.array(z.string()),
  display: z.string().optional(),
  id_token_hint_claims: z.record(z.string(), z.unknown()).optional(),
  login_hint: z.string().optional(),
  ui_locales: z.array(z.string()),
});
export type OidcContext = z.infer<typeof OidcContext>;

export const OAuth2LoginRequest = z.object({
  challenge: z.string(),
  client: OAuth2Client,
  request_url: z.string(),
  requested_scope: z.array(z.string()),
  requested_access_token_audience: z.array(z.string()),
  skip: z.boolean(),
  subject: z.string(),
  oidc_context: OidcContext,
  session_id: z.string().optional(),
  requested_at: z.string().optional(),
});
export type OAuth2LoginRequest = z.infer<typeof OAuth2LoginRequest>;

const seconds = z.number().int().min(0).max(10 * 365 * 24 * 3600);

/** Every optional member may be `null`, read as absent (Hydra's `HandledLoginRequest`, see absent.ts). */
export const AcceptOAuth2LoginRequest = z.object({
  subject: z.string().min(1, 'subject must not be empty').max(255),
  remember: absent(z.boolean()),
  remember_for: absent(seconds),
  extend_session_lifespan: absent(z.boolean()),
  acr: absent(z.string().max(255)),
  amr: absent(z.array(z.string().max(64)).max(20)),
  context: absent(z.unknown()),
  force_subject_identifier: absent(z.string().max(255)),
  identity_provider_session_id: absent(z.string().max(255)),
});
export type AcceptOAuth2LoginRequest = z.infer<typeof AcceptOAuth2LoginRequest>;

/** Body of every `…/reject`; `null` members are absent (Hydra's `RequestDeniedError`). */
export const RejectOAuth2Request = z.object({
  error: absent(z.string().max(128)),
  error_description: absent(z.string().max(1024)),
  error_hint: absent(z.string().max(1024)),
  error_debug: absent(z.string().max(1024)),
  status_code: absent(z.number().int().min(400).max(599)),
});
export type RejectOAuth2Request = z.infer<typeof RejectOAuth2Request>;

/** `PUT …/requests/device/accept` body (Hydra v25.4 `AcceptDeviceUserCodeRequest`): the code the user typed. */
export const AcceptDeviceUserCodeRequest = z.object({
  user_code: z.string().min(1, 'user_code must not be empty').max(64),
});
export type AcceptDeviceUserCodeRequest = z.infer<typeof AcceptDeviceUserCodeRequest>;

export const DeviceChallengeQuery = z.object({
  device_challenge: z.string().max(256).optional(),
});

export const OAuth2RedirectTo = z.object({ redirect_to: z.string() });
export type OAuth2RedirectTo = z.infer<typeof OAuth2RedirectTo>;

export const OAuth2ConsentRequest = z.object({
  challenge: z.string(),
  consent_request_id: z.string(),
  client: OAuth2Client,
  request_url: z.string(),
  requested_scope: z.array(z.string()),
  requested_access_token_audience: z.array(z.string()),
  skip: z.boolean(),
  subject: z.string(),
  oidc_context: OidcContext,
  login_challenge: z.string(),
  login_session_id: z.string(),
  acr: z.string(),
  amr: z.array(z.string()),
  context: z.unknown().optional(),
});
export type OAuth2ConsentRequest = z.infer<typeof OAuth2ConsentRequest>;

const claims = z.record(z.string(), z.unknown());

/** Every member may be `null`, read as absent, `session`'s too (Hydra's `AcceptOAuth2ConsentRequest`). */
export const AcceptOAuth2ConsentRequest = z.object({
  grant_scope: absent(z.array(z.string().max(255)).max(100)),
  grant_access_token_audience: absent(z.array(z.string().max(2048)).max(100)),
  remember: absent(z.boolean()),
  remember_for: absent(seconds),
  session: absent(
    z.object({
      access_token: absent(claims),
      id_token: absent(claims),
    }),
  ),
  context: absent(z.unknown()),
  /** Accepted and ignored, as Hydra up to v2.3. */
  handled_at: absent(z.string()),
});
export type AcceptOAuth2ConsentRequest = z.infer<typeof AcceptOAuth2ConsentRequest>;

/** `?login_challenge=` (or Hydra's alias `?challenge=`). */
export const LoginChallengeQuery = z.object({
  login_challenge: z.string().max(256).optional(),
  challenge: z.string().max(256).optional(),
});
export const ConsentChallengeQuery = z.object({
  consent_challenge: z.string().max(256).optional(),
  challenge: z.string().max(256).optional(),
});

/** Hydra's OAuth2ConsentSession: a consent given, as `GET /admin/oauth2/auth/sessions/consent` lists it. */
export const OAuth2ConsentSession = z.object({
  consent_request_id: z.string(),
  grant_scope: z.array(z.string()),
  grant_access_token_audience: z.array(z.string()),
  session: z.object({ access_token: claims, id_token: claims }),
  remember: z.boolean(),
  /** Seconds; 0 = forever. */
  remember_for: z.number().int(),
  handled_at: z.string(),
  context: z.unknown().optional(),
  consent_request: z.object({
    /** Always "": challenges are kept only as hashes (Hydra sends the challenge). */
    challenge: z.string(),
    consent_request_id: z.string(),
    client: OAuth2Client,
    subject: z.string(),
    requested_scope: z.array(z.string()),
    requested_access_token_audience: z.array(z.string()),
    login_session_id: z.string(),
    acr: z.string(),
    amr: z.array(z.string()),
  }),
});
export type OAuth2ConsentSession = z.infer<typeof OAuth2ConsentSession>;

export const ListConsentSessionsQuery = z.object({
  subject: z.string().min(1, 'subject is required').max(255),
  login_session_id: z.string().max(64).optional(),
  page_size: z.coerce.number().int().min(1).max(500).default(250),
  page_token: z.string().max(512).optional(),
});
export type ListConsentSessionsQuery = z.infer<typeof ListConsentSessionsQuery>;

/** `DELETE /admin/oauth2/auth/sessions/consent`: subject + client, subject + all=true, or consent_request_id. */
export const RevokeConsentSessionsQuery = z.object({
  subject: z.string().max(255).optional(),
  client: z.string().max(255).optional(),
  all: z.enum(['true', 'false']).optional(),
  consent_request_id: z.string().max(64).optional(),
});
export type RevokeConsentSessionsQuery = z.infer<typeof RevokeConsentSessionsQuery>;

/** `DELETE /admin/oauth2/auth/sessions/login`: every session of a subject, or one by `sid`. */
export const RevokeLoginSessionsQuery = z.object({
  subject: z.string().max(255).optional(),
  sid: z.string().max(64).optional(),
});
export type RevokeLoginSessionsQuery = z.infer<typeof RevokeLoginSessionsQuery>;

/** Hydra's OAuth2LogoutRequest, as the logout app reads it. */
export const OAuth2LogoutRequest = z.object({
  challenge: z.string(),
  subject: z.string(),
  sid: z.string(),
  request_url: z.string(),
  rp_initiated: z.boolean(),
  client: OAuth2Client.optional(),
  requested_at: z.string(),
  expires_at: z.string(),
});
export type OAuth2LogoutRequest = z.infer<typeof OAuth2LogoutRequest>;

export const LogoutChallengeQuery = z.object({
  logout_challenge: z.string().max(256).optional(),
  challenge: z.string().max(256).optional(),
});
