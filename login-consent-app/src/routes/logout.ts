import type { Context } from 'koa';
import { field, readForm } from '../http/form.js';
import { redirect, sendHtml } from '../http/respond.js';
import { logoutPage, stayedSignedInPage } from '../views/logout.js';
import { challengeOf, csrfFailure, type RouteDeps } from './deps.js';

/**
 * GET /logout: asks before signing out. A client registered with
 * `skip_logout_consent` (an operator's choice, for first-party apps) that
 * asked itself (RP-initiated) is signed out without the question.
 */
export async function getLogout(ctx: Context, deps: RouteDeps): Promise<void> {
  const challenge = challengeOf(ctx, 'logout_challenge');
  const request = await deps.logout.getLogoutRequest(challenge);
  if (request.rp_initiated && request.client?.skip_logout_consent) {
    return redirect(ctx, (await deps.logout.acceptLogoutRequest(challenge)).redirect_to);
  }
  sendHtml(ctx, logoutPage({ request, csrf: deps.csrf.issue(ctx, 'logout', challenge) }));
}

/** POST /logout: "Sign out" accepts (Tessera ends the session and tells the clients); "Stay signed in" rejects. */
export async function postLogout(ctx: Context, deps: RouteDeps): Promise<void> {
  const challenge = challengeOf(ctx, 'logout_challenge');
  const form = await readForm(ctx);
  if (!deps.csrf.verify(ctx, 'logout', challenge, field(form, 'csrf'))) throw csrfFailure();
  if (field(form, 'action') === 'logout') {
    return redirect(ctx, (await deps.logout.acceptLogoutRequest(challenge)).redirect_to);
  }
  await deps.logout.rejectLogoutRequest(challenge);
  sendHtml(ctx, stayedSignedInPage());
}
