import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import { requestIdFrom } from './middleware/request-id.js';
import { logAccess } from './middleware/access-log.js';
import { failureRenderer } from './middleware/error-handler.js';
import { invalidRequest, notFound } from '../errors/catalog.js';
import { isCleanText } from '../lib/text.js';
import { errorPage, wantsErrorPage } from './error-page.js';
import { respond } from './respond.js';
import type { Metrics } from '../metrics/metrics.js';

/**
 * Trailing slashes are trimmed, as Hydra's router does. The path and query
 * must decode to clean text (lib/text.ts): an encoded NUL or bytes that are
 * not UTF-8 are refused here, before any route reads them.
 */
function normalizePath(ctx: Context): void {
  if (ctx.url.includes('%')) assertCleanUrl(ctx.path, ctx.querystring);
  if (ctx.path.length > 1 && ctx.path.endsWith('/')) ctx.path = ctx.path.replace(/\/+$/, '') || '/';
}

/**
 * Each path segment on its own, as the router decodes each parameter: a
 * segment that does not decode (`%zz`, bytes that are not UTF-8) stays its
 * ASCII text there, and must not hide a NUL in the next one (found in review:
 * `/admin/keys/%FF/%00` reached PostgreSQL).
 */
function assertCleanUrl(path: string, query: string): void {
  for (const segment of path.split('/')) {
    if (!segment.includes('%')) continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      continue;
    }
    if (!isCleanText(decoded)) throw invalidRequest('The URL must be UTF-8 text without NUL characters.');
  }
  for (const [name, value] of new URLSearchParams(query)) {
    if (!isCleanText(name) || !isCleanText(value)) throw invalidRequest('The URL must be UTF-8 text without NUL characters.');
  }
}

/** The layer path @koa/router matched, if any (it sets `_matchedRoute` on the context). */
const matchedRoute = (ctx: Context): string | undefined => {
  const template = (ctx as Context & { _matchedRoute?: unknown })._matchedRoute;
  return typeof template === 'string' ? template : undefined;
};

/**
 * What both apps run first, as one middleware (a layer per concern was a
 * measurable part of a token request): a request id, nosniff, path
 * normalisation, one error shape for every failure, and the access log line.
 */
export function commonMiddleware(logger: Logger, exposeDebug: boolean, metrics?: Pick<Metrics, 'request'>): Middleware {
  const renderFailure = failureRenderer(logger, exposeDebug);
  const logRequests = logger.isLevelEnabled('info');
  return async (ctx, next) => {
    const started = logRequests || metrics ? performance.now() : 0;
    const id = requestIdFrom(ctx.req.headers['x-request-id']);
    ctx.state['requestId'] = id;
    ctx.set('X-Request-Id', id);
    ctx.set('X-Content-Type-Options', 'nosniff');
    try {
      normalizePath(ctx);
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw notFound('No route matches this path.');
    } catch (caught) {
      const failure = renderFailure(caught, id);
      ctx.set(failure.headers);
      if (wantsErrorPage(ctx)) {
        // A browser at the authorization or logout endpoint: a page, with the same headers as every page we render.
        respond(ctx, { kind: 'html', status: failure.status, body: errorPage(failure.status, failure.fields, id) });
      } else {
        ctx.status = failure.status;
        ctx.type = 'application/json; charset=utf-8';
        ctx.body = failure.body;
      }
    }
    if (logRequests) logAccess(logger, { requestId: id, method: ctx.method, path: ctx.path, status: ctx.status }, started);
    // The route template @koa/router matched (`/admin/clients/:id`), never the path: labels stay bounded.
    metrics?.request(matchedRoute(ctx) ?? 'unmatched', ctx.method, ctx.status, (performance.now() - started) / 1000);
  };
}
