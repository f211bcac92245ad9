import { createHash } from 'node:crypto';

/*
 * OAuth 2.0 Form Post Response Mode §2: the authorization response as an
 * HTML form the browser POSTs to the redirect URI, so the code never sits in
 * a URL (history, logs, Referer).
 */

/** Every character that could end an attribute value or start markup. */
const escapeHtml = (s: string) => s.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Through the prototype, not `form.submit`: a field named `submit` would
 * shadow the method (none today, but parameter names are not ours to limit).
 */
const SCRIPT = 'HTMLFormElement.prototype.submit.call(document.forms[0]);';
const SCRIPT_HASH = createHash('sha256').update(SCRIPT).digest('base64');

/**
 * Only this page's own script may run (a hash: the script never changes);
 * nothing loads, nothing frames it. No `form-action`: browsers apply it to
 * the redirects that follow the POST too, and the client may well redirect
 * to another origin after reading the response.
 */
export const FORM_POST_CSP = `default-src 'none'; script-src '${`sha256-${SCRIPT_HASH}`}'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'`;

/** The page: hidden fields, a visible button for when scripts are off, the auto-submit script. */
export function formPostPage(action: string, params: ReadonlyArray<readonly [string, string]>): string {
  const fields = params.map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Continue</title><style>body{font-family:system-ui,sans-serif;margin:3rem auto;max-width:32rem;padding:0 1rem}</style></head>
<body><form method="post" action="${escapeHtml(action)}">
${fields}
<noscript><p>JavaScript is turned off: press Continue to return to the application.</p></noscript>
<button type="submit">Continue</button>
</form>
<script>${SCRIPT}</script>
</body></html>`;
}
