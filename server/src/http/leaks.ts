import type { Context } from 'koa';
import type { Router } from '@koa/router';
import { ListLeakReportsQuery, ReportLeakedTokens } from '@tessera/sdk';
import { invalidRequest, unsupportedMediaType } from '../errors/catalog.js';
import type { HandlerResult } from '../lib/result.js';
import { BODY_LIMIT } from '../lib/limits.js';
import type { SignedRequest } from '../oauth2/leaks/public.js';
import { assertIdentityEncoding, jsonBody, jsonOf, tooLarge } from './body.js';
import { parseInput } from './validate.js';
import { route } from './route.js';

/* Leak report routes (extension, issue 18), registered by admin.ts and public.ts. */

export interface LeakAdminHandlers {
  readonly report: (request: ReportLeakedTokens) => Promise<HandlerResult>;
  readonly list: (query: ListLeakReportsQuery, path: string) => Promise<HandlerResult>;
}

export function leakAdminRoutes(router: Router, handlers: LeakAdminHandlers): void {
  router
    .post('/admin/oauth2/tokens/leaked', jsonBody(), route((ctx) => {
      const value = jsonOf(ctx);
      if (value === undefined) throw invalidRequest('The list of leaked tokens is missing.');
      return handlers.report(parseInput(ReportLeakedTokens, value, 'leak report'));
    }))
    .get('/admin/oauth2/tokens/leaked', route((ctx) => handlers.list(parseInput(ListLeakReportsQuery, ctx.query, 'query'), ctx.path)));
}

/** The exact bytes of the body (a signature covers them), at most `limit`. */
async function rawBody(ctx: Context, limit: number): Promise<Buffer> {
  assertIdentityEncoding(ctx.get('content-encoding') || undefined, unsupportedMediaType);
  if (Number(ctx.get('content-length') || 0) > limit) {
    ctx.set('Connection', 'close');
    throw tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      ctx.set('Connection', 'close');
      throw tooLarge(limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** `POST /oauth2/tokens/leaked`, only when `oauth2.leak_reports.public.enabled`. */
export function leakPublicRoute(router: Router, report: (request: SignedRequest) => Promise<HandlerResult>): void {
  router.post('/oauth2/tokens/leaked', route((ctx) =>
    report({ readBody: () => rawBody(ctx, BODY_LIMIT), header: (name) => ctx.get(name) || undefined, peer: ctx.req.socket.remoteAddress }),
  ));
}
