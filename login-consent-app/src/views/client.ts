import type { OAuth2Client } from '@tessera/sdk';
import { html, safeUrl, type Html } from './html.js';

/** How a client is named on screen: its registered name, else its id. */
export function clientName(client: OAuth2Client | undefined): string {
  return client?.client_name || client?.client_id || 'an application';
}

/** The client's logo when one is registered (decorative: the name is always written next to it). */
export function clientLogo(client: OAuth2Client | undefined): Html {
  const src = safeUrl(client?.logo_uri);
  return src ? html`<img class="logo" src="${src}" alt="" width="64" height="64">` : html``;
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
