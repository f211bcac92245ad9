import type { OAuth2Client } from '@tessera/sdk';
import { html, type Html } from './html.js';
import { alert, layout } from './layout.js';
import { clientLogo, clientName } from './client.js';

export interface LoginView {
  readonly challenge: string;
  readonly client: OAuth2Client;
  readonly csrf: string;
  /** The e-mail to prefill: what was typed, else the client's `login_hint`. */
  readonly email: string;
  readonly remember: boolean;
  readonly error?: string | undefined;
}

/**
 * Sign-in form. "Sign in" is the first button, so Enter submits it; "Cancel"
 * skips the browser's required-field checks (`formnovalidate`).
 */
export function loginPage(view: LoginView): Html {
  const described = view.error ? html` aria-describedby="form-error" aria-invalid="true"` : html``;
  const name = clientName(view.client);
  return layout(
    { title: `Sign in to ${name}` },
    html`<header class="brand">${clientLogo(view.client)}
<h1>Sign in</h1>
<p>to continue to <strong>${name}</strong></p>
</header>
${alert(view.error)}
<form method="post" action="/login?login_challenge=${encodeURIComponent(view.challenge)}">
<input type="hidden" name="csrf" value="${view.csrf}">
<div class="field">
<label for="email">Email address</label>
<input id="email" name="email" type="email" autocomplete="username" spellcheck="false" autocapitalize="none" required maxlength="254" value="${view.email}"${described}${view.email ? '' : html` autofocus`}>
</div>
<div class="field">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"${described}${view.email ? html` autofocus` : ''}>
</div>
<div class="check">
<input id="remember" name="remember" type="checkbox" value="on"${view.remember ? html` checked` : ''}>
<label for="remember">Keep me signed in on this device</label>
</div>
<div class="actions">
<button type="submit" name="action" value="login" class="primary">Sign in</button>
<button type="submit" name="action" value="cancel" formnovalidate>Cancel</button>
</div>
</form>`,
  );
}
