import type { Middleware } from 'koa';
import compose from 'koa-compose';
import type { Logger } from 'pino';
import { requestId } from './middleware/request-id.js';
import { accessLog } from './middleware/access-log.js';
import { errorHandler } from './middleware/error-handler.js';

/** Trailing slashes are trimmed, as Hydra's router does. */
const trimSlash: Middleware = async (ctx, next) => {
  if (ctx.path.length > 1 && ctx.path.endsWith('/')) ctx.path = ctx.path.replace(/\/+$/, '') || '/';
  await next();
};

/** What both apps run first: request id, access log, error shape, path normalisation. */
export function commonMiddleware(logger: Logger, exposeDebug: boolean): Middleware {
  return compose([requestId(), accessLog(logger), errorHandler(logger, exposeDebug), trimSlash]);
}
