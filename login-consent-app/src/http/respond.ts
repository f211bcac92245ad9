import type { Context } from 'koa';
import type { Html } from '../views/html.js';

export function sendHtml(ctx: Context, page: Html, status = 200): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = page.value;
}

/**
 * Sends the browser on. After a POST it is 303 See Other, so the browser
 * follows with a GET and never re-posts the credentials (RFC 9700 §4.12,
 * which rules out 307); after a GET, a plain 302 as Tessera itself uses.
 */
export function redirect(ctx: Context, location: string): void {
  ctx.redirect(location);
  if (ctx.method === 'POST') ctx.status = 303;
}
