import { z } from 'zod';
import { LeakedTokenResult, LeakReport, ListLeakReportsQuery, PublicLeakAnswer, PublicLeakReport, ReportLeakedTokens } from '../contract/leaks.js';
import type { Operation } from './table.js';

/* Leak reports (an extension; issue 18): two admin operations and the signed public one. */

export const leakAdminOperations: readonly Operation[] = [
  { apis: ['admin'], method: 'post', path: '/admin/oauth2/tokens/leaked', operationId: 'reportLeakedOAuth2Tokens', summary: 'Report leaked tokens (extension)',
    description:
      'Each token is checked (HMAC, then the database): a live token of ours is revoked with every token of its grant (`revoked`); ours but no longer active is `already_inactive`; anything else `not_ours`. ' +
      'The consent stays (README "When a token leaks"). Every token is recorded (`GET` lists them) and, when a webhook is configured, the client\'s owner is notified.',
    body: { schema: ReportLeakedTokens }, responses: { 200: { description: 'One result per token, in order; tokens are never echoed.', json: z.array(LeakedTokenResult) } }, errors: [400] },
  { apis: ['admin'], method: 'get', path: '/admin/oauth2/tokens/leaked', operationId: 'listLeakedOAuth2Tokens', summary: 'List leak reports (extension)',
    query: ListLeakReportsQuery,
    responses: { 200: { description: 'Newest first.', json: z.array(LeakReport), headers: { Link: { type: 'string', description: 'RFC 8288 `rel="next"` while more reports follow.' } } } },
    errors: [400] },
];

export const leakPublicOperations: readonly Operation[] = [
  { apis: ['public'], method: 'post', path: '/oauth2/tokens/leaked', operationId: 'reportLeakedOAuth2TokensSigned', summary: 'Signed leak reports from third-party scanners (extension, off by default)',
    description:
      "GitHub's secret-scanning partner programme shape. The raw body must be signed (ECDSA P-256, SHA-256) with a key configured for the sender, named by `<Sender>-Public-Key-Identifier` and the base64 DER signature in `<Sender>-Public-Key-Signature` (GitHub: `Github-Public-Key-Identifier`, `Github-Public-Key-Signature`). " +
      'Unsigned or badly signed: 401 and nothing revoked. Rate-limited per caller (429). 404 while `oauth2.leak_reports.public.enabled` is off.',
    body: { schema: PublicLeakReport }, responses: { 200: { description: 'One label per token.', json: PublicLeakAnswer } }, errors: [400, 401, 404] },
];
