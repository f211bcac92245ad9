import type { DemoSession, DemoTokens } from '../demo/session.js';
import { decodeJwt } from '../demo/relying-party.js';
import { html, type Html } from './html.js';
import { alert, layout } from './layout.js';
import { timeClaims, when } from './time.js';

const json = (value: unknown) => html`<pre>${JSON.stringify(value, null, 2)}</pre>`;

function action(path: string, csrf: string, label: string, extra: Html = html``, primary = false): Html {
  return html`<form method="post" action="${path}" class="inline"><input type="hidden" name="csrf" value="${csrf}">${extra}<button type="submit"${primary ? html` class="primary"` : ''}>${label}</button></form>`;
}

const which = (value: string) => html`<input type="hidden" name="which" value="${value}">`;

function signedOut(): Html {
  return html`<p>This is a small relying party registered with Tessera as the client <code>tessera-demo</code>.
Signing in runs the authorization code flow with PKCE through the login and consent pages, then shows the tokens it got.</p>
<form method="get" action="/demo/login">
<fieldset><legend>Options</legend>
<div class="check"><input type="checkbox" id="prompt-login" name="prompt" value="login"><label for="prompt-login">Ask for the password again (<code>prompt=login</code>)</label></div>
<div class="check"><input type="checkbox" id="prompt-consent" name="prompt" value="consent"><label for="prompt-consent">Ask for consent again (<code>prompt=consent</code>)</label></div>
</fieldset>
<div class="actions"><button type="submit" class="primary">Sign in with Tessera</button></div>
</form>`;
}

function tokenRows(tokens: DemoTokens): Html {
  const expires = tokens.expires_at ? when(tokens.expires_at) : html`at a time the server did not say`;
  return html`<dl class="tokens">
<dt>Access token</dt><dd><code id="access-token">${tokens.access_token}</code> <span class="muted">expires ${expires}</span></dd>
<dt>Refresh token</dt><dd><code id="refresh-token">${tokens.refresh_token ?? '(none: offline_access not granted)'}</code></dd>
<dt>Scope</dt><dd><code id="granted-scope">${tokens.scope ?? ''}</code></dd>
<dt>ID token</dt><dd><code id="id-token">${tokens.id_token ?? '(none)'}</code></dd>
</dl>`;
}

function signedIn(session: DemoSession, tokens: DemoTokens, csrf: string): Html {
  const decoded = decodeJwt(tokens.id_token);
  return html`${tokenRows(tokens)}
<h2>ID token, decoded</h2>
<div id="id-token-claims">${decoded ? json(decoded) : html`<p>No ID token.</p>`}</div>
${timeClaims(decoded?.payload, 'id-token-times')}
<h2>Userinfo</h2>
<div id="userinfo">${json(session.userinfo ?? null)}</div>
${session.introspection ? html`<h2>Introspection of the ${session.introspection.which} token</h2><div id="introspection">${json(session.introspection.result)}</div>${timeClaims(session.introspection.result, 'introspection-times')}` : ''}
<h2>Try</h2>
<div class="actions wrap">
${action('/demo/refresh', csrf, 'Refresh tokens', html``, true)}
${action('/demo/introspect', csrf, 'Introspect access token', which('access'))}
${tokens.refresh_token ? action('/demo/introspect', csrf, 'Introspect refresh token', which('refresh')) : ''}
${action('/demo/revoke', csrf, 'Revoke access token', which('access'))}
${tokens.refresh_token ? action('/demo/revoke', csrf, 'Revoke refresh token', which('refresh')) : ''}
${action('/demo/logout', csrf, 'Sign out everywhere')}
${action('/demo/forget', csrf, 'Forget tokens here')}
</div>`;
}

export function demoPage(session: DemoSession, csrf: string): Html {
  return layout(
    { title: 'Tessera demo app', wide: true },
    html`<header class="brand"><img class="logo" src="/static/demo-logo.svg" alt="" width="64" height="64"><h1>Tessera demo app</h1></header>
${alert(session.error, 'demo-error')}
${session.notice ? html`<p class="notice" role="status" id="demo-notice">${session.notice}</p>` : ''}
${session.tokens ? signedIn(session, session.tokens, csrf) : signedOut()}`,
  );
}

export function legalPage(title: string): Html {
  return layout(
    { title },
    html`<h1>${title}</h1><p>The demo app keeps your tokens in memory until it restarts and shares them with nobody.</p><p><a href="/demo">Back to the demo app</a></p>`,
  );
}
