import type { TesseraAdmin } from '@tessera/sdk';
import type { Context } from 'koa';
import type { Csrf } from '../http/csrf.js';
import type { Log } from '../http/errors.js';
import { PageError } from '../http/errors.js';
import type { UserStore } from '../users/store.js';
import type { Throttle } from '../users/throttle.js';
import type { ConsentOptions } from '../config.js';

/** What the login, consent and logout routes need; passed explicitly, nothing global. */
export interface RouteDeps {
  readonly admin: Pick<
    TesseraAdmin,
    | 'getLoginRequest'
    | 'acceptLoginRequest'
    | 'rejectLoginRequest'
    | 'getConsentRequest'
    | 'acceptConsentRequest'
    | 'rejectConsentRequest'
    | 'getLogoutRequest'
    | 'acceptLogoutRequest'
    | 'rejectLogoutRequest'
    | 'acceptUserCodeRequest'
  >;
  /** Tessera's public URL: a device code page opened without a challenge is sent there for one. */
  readonly tesseraPublicUrl: string;
  readonly users: UserStore;
  readonly throttle: Throttle;
  readonly csrf: Csrf;
  readonly log: Log;
  /** Operator texts for scopes, first-party clients (SCOPE_DESCRIPTIONS_FILE, FIRST_PARTY_CLIENT_IDS). */
  readonly consent?: ConsentOptions | undefined;
}

/** The challenge from the query string (Hydra's `?challenge=` alias too); a page without one is a 400. */
export function challengeOf(ctx: Context, name: 'login_challenge' | 'consent_challenge' | 'logout_challenge'): string {
  const value = ctx.query[name] ?? ctx.query['challenge'];
  if (typeof value === 'string' && value.length > 0 && value.length <= 256) return value;
  throw new PageError(400, {
    title: 'Nothing to do here',
    message: 'This page is opened by the sign-in service with a request to answer, and this address carries none. Go back to the application and start again.',
  });
}

/** A POST whose CSRF token does not match: nothing is done, the user is asked to reload the form. */
export function csrfFailure(): PageError {
  return new PageError(403, {
    title: 'This form has expired',
    message: 'For your security the form could not be accepted. Go back, reload the page and try again.',
  });
}

/** Why an accept is refused when the subject cannot use the app any more. */
export const INACTIVE = { error: 'access_denied', error_description: 'The account is disabled or no longer exists.' } as const;
