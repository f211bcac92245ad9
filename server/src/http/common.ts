import type { Middleware } from 'koa';
import compose from 'koa-compose';
import type { Logger } from 'pino';
import { requestId } from './middleware/request-id.js';
import { accessLog } from './middleware/access-log.js';
import { errorHandler } from './middleware/error-handler.js';
import { invalidRequest } from '../errors/catalog.js';

/**
 * Trailing slashes are trimmed, as Hydra's router does. An encoded NUL in the
 * path or query is refused here: no database can store it, and nothing
 * legitimate sends it.
 */
const normalizePath: Middleware = async (ctx, next) => {
  if (/%00/i.test(ctx.url)) throw invalidRequest('The URL must not contain NUL characters.');
  if (ctx.path.length > 1 && ctx.path.endsWith('/')) ctx.path = ctx.path.replace(/\/+$/, '') || '/';
  await next();
};

/** What both apps run first: request id, access log, error shape, path normalisation, and nosniff. */
const noSniff: Middleware = async (ctx, next) => {
  ctx.set('X-Content-Type-Options', 'nosniff');
  await next();
};

export function commonMiddleware(logger: Logger, exposeDebug: boolean): Middleware {
  return compose([requestId(), noSniff, accessLog(logger), errorHandler(logger, exposeDebug), normalizePath]);
}
