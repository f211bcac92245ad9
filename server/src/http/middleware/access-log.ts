import type { Context } from 'koa';
import type { Logger } from 'pino';

/** One line per request. The path only: query strings may carry codes, tokens or challenges. */
export function logAccess(logger: Logger, ctx: Context, started: number): void {
  logger.info(
    {
      request_id: ctx.state['requestId'],
      method: ctx.method,
      path: ctx.path,
      status: ctx.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    },
    'request',
  );
}
