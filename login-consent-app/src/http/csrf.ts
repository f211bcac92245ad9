import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';

/*
 * CSRF tokens for our forms (RFC 9700 §4.7; OWASP "signed double-submit
 * cookie"). Each browser gets a random value in an HttpOnly, SameSite=Lax
 * cookie; a form's token is HMAC(secret, cookie value, purpose, challenge).
 * A cross-site POST carries no Lax cookie, and a page elsewhere can neither
 * read the cookie nor compute the HMAC. Binding the token to the purpose and
 * the challenge means a token from one form or flow is useless in another.
 */

const COOKIE = 'login_app_csrf';
const MAX_AGE_MS = 24 * 3600 * 1000;

export type CsrfPurpose = 'login' | 'consent' | 'logout' | 'demo' | 'device';

export interface Csrf {
  /** The token to embed in a form; sets the browser's cookie when it has none. */
  issue(ctx: Context, purpose: CsrfPurpose, challenge: string): string;
  /** True only when the posted token matches this browser's cookie, purpose and challenge. */
  verify(ctx: Context, purpose: CsrfPurpose, challenge: string, token: string): boolean;
}

export function createCsrf(secret: string): Csrf {
  const sign = (browser: string, purpose: CsrfPurpose, challenge: string) =>
    createHmac('sha256', secret).update(`${browser}\n${purpose}\n${challenge}`).digest('base64url');

  return {
    issue(ctx, purpose, challenge) {
      let browser = ctx.cookies.get(COOKIE);
      if (!browser || !/^[A-Za-z0-9_-]{43}$/.test(browser)) {
        browser = randomBytes(32).toString('base64url');
        ctx.cookies.set(COOKIE, browser, { httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/', maxAge: MAX_AGE_MS, overwrite: true });
      }
      return sign(browser, purpose, challenge);
    },
    verify(ctx, purpose, challenge, token) {
      const browser = ctx.cookies.get(COOKIE);
      if (!browser || !token) return false;
      const expected = Buffer.from(sign(browser, purpose, challenge));
      const given = Buffer.from(token);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
