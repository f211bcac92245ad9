import type { OAuth2Client } from '@tessera/sdk';
import { html, safeUrl, type Html } from './html.js';

/** How a client is named on screen: its registered name, else its id. */
export function clientName(client: OAuth2Client | undefined): string {
  return client?.client_name || client?.client_id || 'an application';
}

/** The first letter of the name, for the monogram that stands in for a missing or broken logo. */
const initial = (client: OAuth2Client | undefined) => (Array.from(clientName(client).trim())[0] ?? '?').toUpperCase();

/**
 * The client's logo (decorative: the name is always written next to it),
 * with a monogram when it has none or when it does not load. The pages run
 * no script, so the fallback is CSS: a broken image renders its `::after`
 * box (a loaded one has none), which style.css fills with `data-initial`.
 */
export function clientLogo(client: OAuth2Client | undefined): Html {
  const src = safeUrl(client?.logo_uri);
  return src
    ? html`<img class="logo" src="${src}" alt="" width="64" height="64" data-initial="${initial(client)}">`
    : html`<span class="logo monogram" aria-hidden="true">${initial(client)}</span>`;
}

/** Links to the client's privacy policy and terms of service, when it registered them. */
export function clientLinks(client: OAuth2Client): Html {
  const links = [
    { href: safeUrl(client.policy_uri), label: 'Privacy policy' },
    { href: safeUrl(client.tos_uri), label: 'Terms of service' },
    { href: safeUrl(client.client_uri), label: 'Website' },
  ].filter((link) => link.href !== undefined);
  if (links.length === 0) return html``;
  return html`<nav class="client-links" aria-label="${clientName(client)} links"><ul>${links.map(
    (link) => html`<li><a href="${link.href}" rel="noopener noreferrer">${link.label}</a></li>`,
  )}</ul></nav>`;
}

/**
 * Where the browser goes after the answer: the host of the request's
 * redirect_uri (or of the client's only registered one). Shown so that a
 * look-alike name ("Google Drive") sending to an unrelated host stands out
 * (RFC 9700 §4.1 on redirect-based phishing; RFC 6819 §4.2.4).
 */
export function redirectHost(requestUrl: string, client: OAuth2Client): string | undefined {
  let redirect: string | undefined;
  try {
    redirect = new URL(requestUrl).searchParams.get('redirect_uri') ?? undefined;
  } catch {
    redirect = undefined;
  }
  if (redirect === undefined && client.redirect_uris?.length === 1) redirect = client.redirect_uris[0];
  if (redirect === undefined) return undefined;
  try {
    const url = new URL(redirect);
    // A native app's private-use scheme (RFC 8252 §7.1) has no host: its scheme names it.
    return url.host || url.protocol.replace(/:$/, '') || undefined;
  } catch {
    return undefined;
  }
}
