import type { OAuth2ConsentRequest } from '@tessera/sdk';
import { describeScope, type ScopeInfo } from '../oidc/scopes.js';
import type { ScopeText } from '../oidc/scope-texts.js';
import { html, type Html } from './html.js';
import { layout } from './layout.js';
import { clientLinks, clientLogo, clientName, redirectHost } from './client.js';
import { deviceWarning } from './device.js';

/** A device flow's consent request comes back to Tessera's /oauth2/device/verify (RFC 8628), not to the client. */
function isDeviceFlow(request: OAuth2ConsentRequest): boolean {
  try {
    return new URL(request.request_url ?? '').pathname.endsWith('/oauth2/device/verify');
  } catch {
    return false;
  }
}

export interface ConsentView {
  readonly request: OAuth2ConsentRequest;
  readonly csrf: string;
  /** Who is signed in, so the user sees which account is being shared. */
  readonly userEmail: string;
  /** The operator's scope texts (SCOPE_DESCRIPTIONS_FILE). */
  readonly scopeTexts?: ReadonlyMap<string, ScopeText> | undefined;
  /** The client is the operator's own (FIRST_PARTY_CLIENT_IDS): no third-party mark. */
  readonly firstParty?: boolean;
}

function scopeItem(info: ScopeInfo): Html {
  const id = `scope-${info.scope.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  // A disabled checkbox is not submitted; the hidden input carries the required scope (the server adds it anyway).
  const input = info.required
    ? html`<input type="checkbox" id="${id}" checked disabled aria-describedby="${id}-desc"><input type="hidden" name="grant_scope" value="${info.scope}">`
    : html`<input type="checkbox" id="${id}" name="grant_scope" value="${info.scope}" checked aria-describedby="${id}-desc">`;
  return html`<li class="check">${input}
<label for="${id}"><strong>${info.title}</strong>${info.required ? html` <span class="muted">(required)</span>` : ''}</label>
<p class="hint" id="${id}-desc">${info.description} <code>${info.scope}</code></p></li>`;
}

function audiences(list: readonly string[]): Html {
  if (list.length === 0) return html``;
  return html`<section aria-labelledby="audiences-title">
<h2 id="audiences-title">It will be able to call</h2>
<ul class="audiences">${list.map((aud) => html`<li><code>${aud}</code></li>`)}</ul>
</section>`;
}

/**
 * Who the application is, as far as this service can say: a mark when it is
 * not the operator's own, and the host the answer goes to. A phishing client
 * can pick any name and logo, not the host its redirect_uri was registered
 * with.
 */
function provenance(view: ConsentView): Html {
  // A device flow's answer goes back to Tessera's own page, not to a redirect_uri: no host to show.
  const host = isDeviceFlow(view.request) ? undefined : redirectHost(view.request.request_url, view.request.client);
  return html`${view.firstParty ? '' : html`<p class="third-party" id="third-party"><span class="badge">Third-party app</span> Not made by the operator of this service.</p>`}
${host ? html`<p class="redirect-host" id="redirect-host">After you answer you will be sent to <strong>${host}</strong></p>` : ''}`;
}

/** The consent screen: who asks, for what (optional scopes can be unticked), on whose behalf. */
export function consentPage(view: ConsentView): Html {
  const { request } = view;
  const name = clientName(request.client);
  return layout(
    { title: `Allow ${name} to access your account?` },
    html`<header class="brand">${clientLogo(request.client)}
<h1><strong>${name}</strong> wants to access your account</h1>
${provenance(view)}
<p>Signed in as <strong>${view.userEmail}</strong></p>
</header>
${isDeviceFlow(request) ? deviceWarning(request.client) : ''}
<form method="post" action="/consent?consent_challenge=${encodeURIComponent(request.challenge)}">
<input type="hidden" name="csrf" value="${view.csrf}">
<fieldset>
<legend>Allow ${name} to:</legend>
<ul class="scopes">${request.requested_scope.map((scope) => scopeItem(describeScope(scope, view.scopeTexts)))}</ul>
</fieldset>
${audiences(request.requested_access_token_audience)}
${clientLinks(request.client)}
<div class="check">
<input id="remember" name="remember" type="checkbox" value="on">
<label for="remember">Remember this decision</label>
</div>
<div class="actions">
<button type="submit" name="action" value="allow" class="primary">Allow</button>
<button type="submit" name="action" value="deny">Deny</button>
</div>
</form>`,
  );
}
