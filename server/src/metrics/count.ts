import type { HandlerResult } from '../lib/result.js';
import type { Metrics } from './metrics.js';

/*
 * Counting points that do not depend on which grant or which path served a
 * request: the token endpoint's and the introspection endpoint's handler,
 * wrapped once in the composition root, count what a successful answer
 * carried. koa's route and the fast lane call the same wrapped handler, and
 * a grant added later (one file in oauth2/token/grants/) is counted without
 * touching it.
 */

const succeeded = (result: HandlerResult): result is Extract<HandlerResult, { kind: 'json' }> => result.kind === 'json' && (result.status ?? 200) === 200;

/** Counts the tokens of each successful token response, by grant_type (allow-listed in metrics.ts) and kind. */
export function countTokens<R extends { readonly grant_type: string }, A extends unknown[]>(
  metrics: Pick<Metrics, 'tokensIssued'>,
  handler: (request: R, ...rest: A) => Promise<HandlerResult>,
): (request: R, ...rest: A) => Promise<HandlerResult> {
  return async (request, ...rest) => {
    const result = await handler(request, ...rest);
    if (succeeded(result)) metrics.tokensIssued(request.grant_type, result.body);
    return result;
  };
}

/** Counts each answered introspection as active or inactive (RFC 7662 §2.2). */
export function countIntrospections<R>(metrics: Pick<Metrics, 'introspected'>, handler: (request: R) => Promise<HandlerResult>): (request: R) => Promise<HandlerResult> {
  return async (request) => {
    const result = await handler(request);
    if (succeeded(result)) {
      const body = typeof result.body === 'string' ? undefined : (result.body as { active?: unknown } | null);
      // A pre-serialised body: look for the member rather than parse it again.
      const active = body ? body.active === true : typeof result.body === 'string' && result.body.includes('"active":true');
      metrics.introspected(active);
    }
    return result;
  };
}
