import { hintNamesUser } from '../../tokens/subject.js';
import { randomToken } from '../../lib/crypto.js';
import { invalidRequest, serverError } from '../../errors/catalog.js';
import { redirect, type HandlerResult } from '../../lib/result.js';
import type { Client } from '../../clients/client.js';
import type { LoginSession, LogoutRequest } from '../../storage/ports.js';
import { withParams } from '../../oauth2/authorize/redirect.js';
import { checkRequestSize } from '../../oauth2/authorize/checks/size.js';
import { bindBrowser, currentSession, type BrowserCookies } from '../browser.js';
import { mintSecret } from '../secrets.js';
import type { LogoutDeps } from './deps.js';
import { signedOutPage } from './page.js';
import { finishLogout } from './finish.js';

/** The client the RP names, by its ID token's audience or by client_id; both must agree. */
async function namedClient(hint: Record<string, unknown> | undefined, clientId: string | undefined, deps: LogoutDeps): Promise<Client | undefined> {
  const aud = hint?.['aud'];
  const audiences = Array.isArray(aud) ? aud.map(String) : typeof aud === 'string' ? [aud] : [];
  if (clientId !== undefined && hint && !audiences.includes(clientId)) throw invalidRequest('client_id is not an audience of the id_token_hint.');
  const id = clientId ?? audiences[0];
  if (id === undefined) return undefined;
  const client = await deps.clients.get(id);
  if (!client) throw invalidRequest('The client named by the logout request does not exist.');
  return client;
}

/**
 * Whether the RP proved it took part in this very session: an ID token we
 * issued, for this client, this user and this session (`sid`). A client_id,
 * or an ID token from an earlier session, is something any page can send.
 */
function provenParticipant(hint: Record<string, unknown> | undefined, client: Client, session: LoginSession): boolean {
  if (!hint) return false;
  const aud = hint['aud'];
  const audiences = Array.isArray(aud) ? aud : [aud];
  return audiences.includes(client.client_id) && hint['sub'] === session.subject && hint['sid'] === session.id;
}

/**
 * GET/POST /oauth2/sessions/logout (OpenID Connect RP-Initiated Logout 1.0
 * §2-3). A post_logout_redirect_uri must be registered, exactly, for the
 * client named by id_token_hint or client_id; otherwise the request is shown
 * as an error and nobody is redirected. Unlike Hydra, client_id alone is
 * enough to name the client (hydra#1472), never to skip the logout app.
 * Without a session there is nothing to end, and the browser goes straight on.
 */
export async function startLogout(params: Record<string, string>, cookies: BrowserCookies, deps: LogoutDeps): Promise<HandlerResult> {
  checkRequestSize(params, deps.maxRequestBytes, 'end-session request');
  let hint: Record<string, unknown> | undefined;
  if (params['id_token_hint']) {
    hint = await deps.signer.verifyHint(params['id_token_hint']);
    if (!hint) throw invalidRequest('The id_token_hint is not an ID token issued by this server.');
  }
  const client = await namedClient(hint, params['client_id'], deps);
  const postLogout = params['post_logout_redirect_uri'];
  if (postLogout !== undefined) {
    if (!client) throw invalidRequest('post_logout_redirect_uri needs id_token_hint or client_id to name the client.');
    if (!client.post_logout_redirect_uris.includes(postLogout)) {
      throw invalidRequest('post_logout_redirect_uri is not registered for this client.');
    }
  }
  const destination = postLogout !== undefined ? withParams(postLogout, { state: params['state'] }) : deps.urls.postLogoutRedirect;

  const session = await currentSession(deps, cookies);
  if (hint && session && !(await hintNamesUser(hint['sub'], session.subject, client, deps.pairwiseSalt, deps.forcedSubjects))) {
    throw invalidRequest('The id_token_hint names another user than the one logged in.');
  }
  if (!session) return destination ? redirect(destination) : { kind: 'html', body: signedOutPage([], undefined) };
  if (!deps.urls.logout) throw serverError('urls.logout is not configured.');

  const now = deps.clock.now();
  const challenge = mintSecret();
  const browser = bindBrowser(cookies);
  const location = withParams(deps.urls.logout, { logout_challenge: challenge.value });
  const request: LogoutRequest = {
    id: randomToken(24),
    status: 'requested',
    subject: session.subject,
    sid: session.id,
    clientId: client?.client_id,
    postLogoutRedirectUri: postLogout,
    state: params['state'],
    rpInitiated: hint !== undefined || client !== undefined,
    requestUrl: `${deps.endSessionUrl}?${new URLSearchParams(params).toString()}`,
    requestedAt: now,
    expiresAt: now + deps.ttl.flow,
  };
  await deps.logouts.create(request, challenge.hash, browser.hash);
  // RP-Initiated Logout 1.0 §2: without an id_token_hint the OP asks the user, since a
  // cross-site GET could otherwise sign anyone out. skip_logout_consent only waives the
  // question when the hint proves the RP was part of this session.
  if (client?.skip_logout_consent && provenParticipant(hint, client, session)) {
    // The client asked for no logout screen (Hydra ≥ 2.3): accept at once, in this browser.
    const verifier = mintSecret();
    await deps.logouts.accept(request.id, verifier.hash);
    return finishLogout(verifier.value, { ...cookies, browser: cookies.browser ?? browser.cookie?.value }, deps);
  }
  return redirect(location, browser.cookie ? [browser.cookie] : []);
}
