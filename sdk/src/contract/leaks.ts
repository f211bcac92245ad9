import { z } from 'zod';

/*
 * Leak reports (an extension; issue 18, README "When a token leaks"): a
 * token found where it should not be is reported, verified and, when it is
 * a live token of ours, revoked with its whole grant. The token is never
 * echoed back: answers name it by `token_hash`, its SHA-256 in hex (as
 * GitHub's secret-scanning partner programme does).
 */

const token = z.string().min(1).max(4096).describe('The token as found.');
const url = z.string().max(2048).describe('Where it was found.');
const source = z.string().max(255).describe('What kind of place it was found in (e.g. `commit`, `issue`, `file`).');

export const LeakOutcome = z
  .enum(['revoked', 'already_inactive', 'not_ours'])
  .describe('`revoked`: a live token of ours, revoked with every token of its grant; `already_inactive`: ours, but revoked, used or expired before; `not_ours`: forged, of another issuer, or unknown here.');
export type LeakOutcome = z.infer<typeof LeakOutcome>;

export const LeakedTokenType = z.enum(['access_token', 'refresh_token', 'authorization_code', 'device_code']).describe('The kind its prefix names; absent when it has none of our formats.');

/** `POST /admin/oauth2/tokens/leaked`: one or more tokens. */
export const ReportLeakedTokens = z
  .array(z.object({ token, url: url.optional(), source: source.optional() }))
  .min(1)
  .max(1000)
  .describe('Up to 1000 tokens.');
export type ReportLeakedTokens = z.infer<typeof ReportLeakedTokens>;

/** One answer per reported token, in the order sent. */
export const LeakedTokenResult = z.object({
  token_hash: z.string().describe('SHA-256 of the token, hex.'),
  token_type: LeakedTokenType.optional(),
  outcome: LeakOutcome,
  client_id: z.string().optional().describe('The client the token was issued to (not for `not_ours`).'),
  revoked_count: z.number().int().describe('Tokens of the grant revoked by this report.'),
  report_id: z.string().describe('The stored report (listed by `GET /admin/oauth2/tokens/leaked`).'),
});
export type LeakedTokenResult = z.infer<typeof LeakedTokenResult>;

/** A stored report. */
export const LeakReport = z.object({
  id: z.string(),
  reported_at: z.string().describe('RFC 3339.'),
  channel: z.enum(['admin', 'public']).describe('`admin`: this API (or `tessera scan --report`); `public`: a signed third-party report.'),
  sender: z.string().optional().describe('The configured sender of a public report.'),
  token_type: LeakedTokenType.optional(),
  token_hash: z.string(),
  outcome: LeakOutcome,
  url: z.string().optional(),
  source: z.string().optional(),
  client_id: z.string().optional(),
  subject: z.string().optional(),
  grant_id: z.string().optional().describe('The grant (consent request id) whose tokens were revoked.'),
  revoked_count: z.number().int(),
});
export type LeakReport = z.infer<typeof LeakReport>;

/** `GET /admin/oauth2/tokens/leaked`: newest first. */
export const ListLeakReportsQuery = z.object({
  page_size: z.coerce.number().int().min(1).max(500).default(250),
  page_token: z.string().max(512).optional(),
  client_id: z.string().max(255).optional().describe('Only reports of tokens of this client.'),
});
export type ListLeakReportsQuery = z.infer<typeof ListLeakReportsQuery>;

/** The public endpoint's request: GitHub's secret-scanning partner programme shape. */
export const PublicLeakReport = z
  .array(z.object({ token, type: z.string().max(255).describe("The sender's name for the pattern that matched."), url: url.optional(), source: source.optional() }))
  .min(1)
  .max(1000);
export type PublicLeakReport = z.infer<typeof PublicLeakReport>;

export const PublicLeakAnswer = z.array(
  z.object({
    token_hash: z.string().describe('SHA-256 of the token, hex.'),
    token_type: z.string().describe('The `type` sent.'),
    label: z.enum(['true_positive', 'false_positive']).describe('`true_positive`: a token of ours (revoked now or before); `false_positive`: not one of ours.'),
  }),
);
export type PublicLeakAnswer = z.infer<typeof PublicLeakAnswer>;
