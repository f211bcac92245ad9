import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';

/** Accept a caller's id when it is short and plain (it ends up in logs), else mint one. */
const ACCEPTABLE = /^[\w.:-]{1,128}$/;

export function requestId(): Middleware {
  return async (ctx, next) => {
    const given = ctx.get('x-request-id');
    const id = ACCEPTABLE.test(given) ? given : randomUUID();
    ctx.state['requestId'] = id;
    ctx.set('X-Request-Id', id);
    await next();
  };
}
