import type { Context } from 'koa';
import type { Cookie, HandlerResult } from '../lib/result.js';

export interface RespondOptions {
  /** Mark cookies Secure: the issuer is https (a TLS-terminating proxy may sit in front). */
  readonly secureCookies: boolean;
}

/** Serialised by hand (RFC 6265 §4.1): koa's cookies refuse Secure over a proxy's plain-http hop. */
function serializeCookie(cookie: Cookie, secure: boolean): string {
  const parts = [`${cookie.name}=${cookie.value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (cookie.maxAgeSeconds !== undefined) {
    parts.push(`Max-Age=${cookie.maxAgeSeconds}`);
    if (cookie.maxAgeSeconds === 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  }
  if (secure) parts.push('Secure');
  return parts.join('; ');
}

export function respond(ctx: Context, result: HandlerResult, options: RespondOptions = { secureCookies: false }): void {
  switch (result.kind) {
    case 'json':
      ctx.status = result.status ?? 200;
      if (result.headers) ctx.set(result.headers);
      // A handler may name another JSON-bearing type (signed userinfo: application/jwt, OIDC Core §5.3.2).
      if (!result.headers?.['Content-Type']) ctx.type = 'application/json; charset=utf-8';
      ctx.body = typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
      return;
    case 'empty':
      if (result.headers) ctx.set(result.headers);
      ctx.status = result.status ?? 204;
      // koa turns a null body into 204; an empty 200 (RFC 7009 §2.2) needs an empty string.
      ctx.body = ctx.status === 204 ? null : '';
      return;
    case 'html':
      ctx.status = result.status ?? 200;
      for (const cookie of result.cookies ?? []) ctx.append('Set-Cookie', serializeCookie(cookie, options.secureCookies));
      // Pages this server renders: no scripts (unless the page names its own), no framing, no referrer, no caching (RFC 9700 §4.16, §4.2).
      ctx.set({
        'Content-Security-Policy': result.csp ?? "default-src 'none'; style-src 'unsafe-inline'; frame-src *; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        'X-Frame-Options': 'DENY',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-store',
      });
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = result.body;
      return;
    case 'redirect':
      ctx.status = result.status ?? 302;
      for (const cookie of result.cookies ?? []) ctx.append('Set-Cookie', serializeCookie(cookie, options.secureCookies));
      ctx.set('Location', result.location);
      ctx.set('Cache-Control', 'no-store');
      // Not null: koa would turn the status into 204.
      ctx.body = '';
      return;
  }
}
