import { handleLogin, type LoginAdmin, type OAuth2LoginRequest } from '@tessera/sdk';
import type { Context } from 'koa';
import { field, formOf } from '../http/form.js';
import { redirect, sendHtml } from '../http/respond.js';
import { authenticate } from '../users/authenticate.js';
import { loginPage } from '../views/login.js';
import { INACTIVE, challengeOf, csrfFailure, type RouteDeps } from './deps.js';

const WRONG = 'The email address or password is incorrect.';

function lockedMessage(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  return `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}

/**
 * The SDK's admin calls, with one more check on accept: the subject must still
 * be an active user. That covers remembered logins too (`skip`), which the
 * helper accepts without asking us, so a disabled account cannot ride an old
 * Tessera session.
 */
function activeOnly(deps: RouteDeps): LoginAdmin {
  return {
    getLoginRequest: (challenge) => deps.admin.getLoginRequest(challenge),
    rejectLoginRequest: (challenge, reject) => deps.admin.rejectLoginRequest(challenge, reject),
    async acceptLoginRequest(challenge, accept) {
      const user = await deps.users.byId(accept.subject);
      if (!user || user.disabled) return deps.admin.rejectLoginRequest(challenge, INACTIVE);
      return deps.admin.acceptLoginRequest(challenge, accept);
    },
  };
}

interface Shown {
  readonly email: string;
  readonly remember: boolean;
  readonly error?: string | undefined;
}

function show(ctx: Context, deps: RouteDeps, request: OAuth2LoginRequest, shown: Shown, status = 200): void {
  const csrf = deps.csrf.issue(ctx, 'login', request.challenge);
  sendHtml(ctx, loginPage({ challenge: request.challenge, client: request.client, csrf, ...shown }), status);
}

/** GET /login: a remembered login goes straight on; otherwise the form, prefilled with `login_hint`. */
export async function getLogin(ctx: Context, deps: RouteDeps): Promise<void> {
  const step = await handleLogin(activeOnly(deps), challengeOf(ctx, 'login_challenge'), () => undefined);
  if (step.redirectTo !== undefined) return redirect(ctx, step.redirectTo);
  show(ctx, deps, step.show, { email: step.show.oidc_context.login_hint ?? '', remember: false });
}

/** POST /login: cancel, or check the credentials under the lock-out rules and accept. */
export async function postLogin(ctx: Context, deps: RouteDeps): Promise<void> {
  const challenge = challengeOf(ctx, 'login_challenge');
  const form = formOf(ctx);
  const email = field(form, 'email').slice(0, 254);
  const remember = field(form, 'remember') === 'on';
  if (!deps.csrf.verify(ctx, 'login', challenge, field(form, 'csrf'))) throw csrfFailure();
  let retryAfterMs = 0;
  const step = await handleLogin<string>(activeOnly(deps), challenge, async () => {
    if (field(form, 'action') === 'cancel') return { reject: { error: 'access_denied', error_description: 'The user cancelled the sign-in.' } };
    const result = await authenticate(deps, { email, password: field(form, 'password'), ip: ctx.ip });
    if (result.ok) return { subject: result.user.id, remember, amr: ['pwd'] };
    if (result.reason === 'invalid') return { render: WRONG };
    retryAfterMs = result.retryAfterMs;
    return { render: lockedMessage(retryAfterMs) };
  });
  if (step.redirectTo !== undefined) return redirect(ctx, step.redirectTo);
  if (retryAfterMs > 0) ctx.set('Retry-After', String(Math.ceil(retryAfterMs / 1000)));
  show(ctx, deps, step.show, { email, remember, error: step.render }, retryAfterMs > 0 ? 429 : 200);
}
