import { invalidRequest } from '../../errors/catalog.js';
import { redirect, type HandlerResult } from '../../lib/result.js';
import { withParams } from '../../oauth2/authorize/redirect.js';
import { parseStrictUrl } from '../../lib/url.js';
import type { Client } from '../../clients/client.js';
import { clearSessionCookie, sameBrowser, type BrowserCookies } from '../browser.js';
import { hashSecret } from '../secrets.js';
import type { LogoutDeps } from './deps.js';
import { signedOutPage } from './page.js';

/**
 * Front-Channel Logout 1.0 §2: `iss` and `sid` when the client asked for
 * them. A URI that cannot be loaded (registered before lib/url.ts's rules)
 * is left out: one client's broken registration must not keep the user
 * signed in.
 */
function frontChannelUri(client: Client, issuer: string, sid: string): string | undefined {
  if (!client.frontchannel_logout_uri || parseStrictUrl(client.frontchannel_logout_uri) === undefined) return undefined;
  return client.frontchannel_logout_session_required ? withParams(client.frontchannel_logout_uri, { iss: issuer, sid }) : client.frontchannel_logout_uri;
}

async function participants(deps: LogoutDeps, sid: string): Promise<Client[]> {
  const rows = await deps.sessionClients.clientsOfSessions([sid]);
  const clients = await Promise.all([...new Set(rows.map((p) => p.clientId))].map((id) => deps.clients.get(id)));
  return clients.filter((c): c is Client => c !== undefined);
}

/**
 * `/oauth2/sessions/logout?logout_verifier=`: the logout app accepted. The
 * session ends, its cookie is cleared, every client that took part hears of
 * it (front-channel iframes now, back-channel tokens in the background), and
 * the browser goes to the validated post_logout_redirect_uri. Where the
 * browser goes is settled before anything is written.
 */
export async function finishLogout(verifier: string, cookies: BrowserCookies, deps: LogoutDeps): Promise<HandlerResult> {
  const found = await deps.logouts.find('verifier', hashSecret(verifier));
  if (!found) throw invalidRequest('The logout_verifier is not valid.');
  const { request } = found;
  if (request.expiresAt <= deps.clock.now()) throw invalidRequest('The logout request has expired.');
  if (!sameBrowser(found, cookies)) {
    throw invalidRequest('The logout_verifier was presented by another browser than the one that asked to log out.');
  }
  const next = request.postLogoutRedirectUri !== undefined ? withParams(request.postLogoutRedirectUri, { state: request.state }) : deps.urls.postLogoutRedirect;
  const clients = await participants(deps, request.sid);
  const frames = clients.map((c) => frontChannelUri(c, deps.issuer, request.sid)).filter((uri): uri is string => uri !== undefined);
  if (!(await deps.logouts.finish(request.id))) throw invalidRequest('The logout_verifier has already been used.');

  await deps.loginSessions.delete({ id: request.sid });
  for (const client of clients) deps.notifier.notify(client, request.subject, request.sid);
  if (frames.length === 0 && next) return redirect(next, [clearSessionCookie]);
  return { kind: 'html', body: signedOutPage(frames, next), cookies: [clearSessionCookie] };
}
