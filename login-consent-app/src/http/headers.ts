import type { Middleware } from 'koa';

/**
 * Security headers on every answer, error pages and static files included.
 *
 * - CSP: nothing but our stylesheet and images; no script at all (the pages
 *   need none), no plugins, no <base>, and `frame-ancestors 'none'` against
 *   clickjacking (RFC 9700 §4.16), with X-Frame-Options for older browsers.
 *   `form-action` is left out on purpose: Chromium applies it to the redirects
 *   that follow a form POST, and ours go on to Tessera and to each client's
 *   redirect_uri, which no fixed list can name.
 * - `img-src` allows https images (client logos are registered by operators),
 *   and http ones only in --dev, where logos are served from 127.0.0.1.
 * - Referrer-Policy no-referrer: the login and consent URLs carry challenges
 *   (RFC 9700 §4.2.4). Cache-Control no-store: pages carry CSRF tokens and
 *   personal data.
 */
export function securityHeaders(options: { dev: boolean }): Middleware {
  const csp = [
    "default-src 'none'",
    "style-src 'self'",
    `img-src 'self' https:${options.dev ? ' http:' : ''}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
  return async (ctx, next) => {
    ctx.set({
      'Content-Security-Policy': csp,
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    });
    await next();
  };
}
