import { handleLogout } from '@tessera/sdk';
import type { Context } from 'koa';
import { field, formOf } from '../http/form.js';
import { redirect, sendHtml } from '../http/respond.js';
import { logoutPage, stayedSignedInPage } from '../views/logout.js';
import { challengeOf, csrfFailure, type RouteDeps } from './deps.js';

/**
 * GET /logout: always asks. Anyone can send a browser to Tessera's
 * end-session endpoint (naming a client by `client_id` proves nothing), so
 * only the user's own POST signs out (RP-Initiated Logout 1.0 §2).
 */
export async function getLogout(ctx: Context, deps: RouteDeps): Promise<void> {
  const challenge = challengeOf(ctx, 'logout_challenge');
  const step = await handleLogout(deps.admin, challenge, () => undefined);
  if (step.show === undefined) throw new Error('handleLogout answered a GET without showing the page');
  sendHtml(ctx, logoutPage({ request: step.show, csrf: deps.csrf.issue(ctx, 'logout', challenge) }));
}

/** POST /logout: "Sign out" accepts (Tessera ends the session and tells the clients); "Stay signed in" rejects. */
export async function postLogout(ctx: Context, deps: RouteDeps): Promise<void> {
  const challenge = challengeOf(ctx, 'logout_challenge');
  const form = formOf(ctx);
  if (!deps.csrf.verify(ctx, 'logout', challenge, field(form, 'csrf'))) throw csrfFailure();
  const action = field(form, 'action');
  const step = await handleLogout(deps.admin, challenge, () => (action === 'logout' ? 'accept' : action === 'stay' ? 'reject' : undefined));
  if (step.redirectTo !== undefined) return redirect(ctx, step.redirectTo);
  if (step.rejected) return sendHtml(ctx, stayedSignedInPage());
  sendHtml(ctx, logoutPage({ request: step.show, csrf: deps.csrf.issue(ctx, 'logout', challenge) }));
}
