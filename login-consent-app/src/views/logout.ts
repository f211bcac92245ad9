import type { OAuth2LogoutRequest } from '@tessera/sdk';
import { html, type Html } from './html.js';
import { layout } from './layout.js';
import { clientName } from './client.js';

export interface LogoutView {
  readonly request: OAuth2LogoutRequest;
  readonly csrf: string;
}

/** Asks before ending the session: a logout link alone must not sign anyone out (RP-Initiated Logout 1.0 §2). */
export function logoutPage(view: LogoutView): Html {
  const { request } = view;
  const asker = request.client ? html`<strong>${clientName(request.client)}</strong> asks to sign you out. ` : '';
  return layout(
    { title: 'Sign out?' },
    html`<h1>Sign out?</h1>
<p>${asker}Do you want to sign out of your account on this device?</p>
<form method="post" action="/logout?logout_challenge=${encodeURIComponent(request.challenge)}">
<input type="hidden" name="csrf" value="${view.csrf}">
<div class="actions">
<button type="submit" name="action" value="logout" class="primary">Sign out</button>
<button type="submit" name="action" value="stay">Stay signed in</button>
</div>
</form>`,
  );
}

export function stayedSignedInPage(): Html {
  return layout(
    { title: 'You are still signed in' },
    html`<h1>You are still signed in</h1>
<p>Nothing was changed. You can close this page.</p>`,
  );
}
