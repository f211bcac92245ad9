import { randomUUID } from 'node:crypto';
import type { Context } from 'koa';

/** Accept a caller's id when it is short and plain (it ends up in logs), else mint one. */
const ACCEPTABLE = /^[\w.:-]{1,128}$/;

export function requestIdOf(ctx: Context): string {
  const given = ctx.get('x-request-id');
  return ACCEPTABLE.test(given) ? given : randomUUID();
}
