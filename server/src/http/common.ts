import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import { requestIdFrom } from './middleware/request-id.js';
import { logAccess } from './middleware/access-log.js';
import { failureRenderer } from './middleware/error-handler.js';
import { invalidRequest, notFound } from '../errors/catalog.js';

/**
 * Trailing slashes are trimmed, as Hydra's router does. An encoded NUL in the
 * path or query is refused here: no database can store it, and nothing
 * legitimate sends it.
 */
function normalizePath(ctx: Context): void {
  if (ctx.url.includes('%00')) throw invalidRequest('The URL must not contain NUL characters.');
  if (ctx.path.length > 1 && ctx.path.endsWith('/')) ctx.path = ctx.path.replace(/\/+$/, '') || '/';
}

/**
 * What both apps run first, as one middleware (a layer per concern was a
 * measurable part of a token request): a request id, nosniff, path
 * normalisation, one error shape for every failure, and the access log line.
 */
export function commonMiddleware(logger: Logger, exposeDebug: boolean): Middleware {
  const renderFailure = failureRenderer(logger, exposeDebug);
  const logRequests = logger.isLevelEnabled('info');
  return async (ctx, next) => {
    const started = logRequests ? performance.now() : 0;
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
      ctx.status = failure.status;
      ctx.type = 'application/json; charset=utf-8';
      ctx.body = failure.body;
      ctx.set(failure.headers);
    }
    if (logRequests) logAccess(logger, { requestId: id, method: ctx.method, path: ctx.path, status: ctx.status }, started);
  };
}
