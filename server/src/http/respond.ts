import type { Context } from 'koa';
import type { HandlerResult } from '../lib/result.js';

export function respond(ctx: Context, result: HandlerResult): void {
  switch (result.kind) {
    case 'json':
      ctx.status = result.status ?? 200;
      if (result.headers) ctx.set(result.headers);
      ctx.type = 'application/json; charset=utf-8';
      ctx.body = typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
      return;
    case 'empty':
      if (result.headers) ctx.set(result.headers);
      ctx.status = result.status ?? 204;
      // koa turns a null body into 204; an empty 200 (RFC 7009 §2.2) needs an empty string.
      ctx.body = ctx.status === 204 ? null : '';
      return;
    case 'redirect':
      ctx.status = result.status ?? 302;
      ctx.set('Location', result.location);
      ctx.body = null;
      return;
  }
}
