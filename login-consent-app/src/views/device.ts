import type { OAuth2Client } from '@tessera/sdk';
import { html, type Html } from './html.js';
import { alert, layout } from './layout.js';
import { clientName } from './client.js';

export interface DeviceView {
  readonly challenge: string;
  readonly csrf: string;
  /** Pre-filled: from `verification_uri_complete`, or what was typed. */
  readonly userCode: string;
  readonly error?: string | undefined;
}

/** "Connect a device": the code the device shows (RFC 8628 §3.3). */
export function devicePage(view: DeviceView): Html {
  const described = view.error ? html` aria-describedby="form-error" aria-invalid="true"` : html``;
  return layout(
    { title: 'Connect a device' },
    html`<header class="brand">
<h1>Connect a device</h1>
<p>Enter the code shown on your TV, console or other device.</p>
</header>
${alert(view.error)}
<form method="post" action="/device?device_challenge=${encodeURIComponent(view.challenge)}">
<input type="hidden" name="csrf" value="${view.csrf}">
<div class="field">
<label for="user_code">Code</label>
<input id="user_code" name="user_code" type="text" autocomplete="off" spellcheck="false" autocapitalize="characters" required maxlength="16" placeholder="BCDF-GHJK" value="${view.userCode}"${described} autofocus>
</div>
<p class="hint">Only enter a code from a device you are setting up yourself, right now.</p>
<div class="actions">
<button type="submit" name="action" value="connect" class="primary">Continue</button>
</div>
</form>`,
  );
}

/** RFC 8628 §5.4 (remote phishing): the consent page of a device flow says what is being connected. */
export function deviceWarning(client: OAuth2Client): Html {
  return html`<p class="alert" role="note" id="device-warning">You are signing in to <strong>${clientName(client)}</strong> on another device. Only continue if you started this yourself, on a device in front of you.</p>`;
}

/** Where the browser ends after approving (urls.device.success). */
export function deviceDonePage(): Html {
  return layout(
    { title: 'Device connected' },
    html`<header class="brand">
<h1>Device connected</h1>
<p>Your device is signed in. You can close this window and return to it.</p>
</header>`,
  );
}
