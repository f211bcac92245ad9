import { hintNamesUser } from '../../tokens/subject.js';
import type { Client } from '../../clients/client.js';
import { randomToken, timeOrderedId } from '../../lib/crypto.js';
import { OAuth2Error } from '../../errors/oauth2-error.js';
import { serverError } from '../../errors/catalog.js';
import { redirect, type HandlerResult } from '../../lib/result.js';
import type { AuthorizeRequest, Flow } from '../../flows/flow.js';
import type { FlowDeps } from '../../flows/deps.js';
import type { LoginSession } from '../../storage/ports.js';
import { bindBrowser, currentSession, type BrowserCookies } from '../../flows/browser.js';
import { mintSecret } from '../../flows/secrets.js';
import { sealLoginChallenge } from '../../flows/login-challenge.js';
import { continueAfterLogin } from '../../flows/login/continue.js';
import { continueAfterConsent } from '../../flows/consent/continue.js';
import { checkAuthorizeRequest, type AuthorizeCheckDeps } from './request.js';
import { errorResponse, RedirectableError, targetOf, withParams } from './redirect.js';
import { pushedParams, type PushedDeps } from '../par/request-uri.js';

export type AuthorizeDeps = FlowDeps &
  AuthorizeCheckDeps &
  PushedDeps & { readonly errorUrl?: string | undefined; /** Pairwise id_token_hints (tokens/subject.ts). */ readonly pairwiseSalt?: string | undefined };

const loginRequired = (hint: string) =>
  new OAuth2Error({ error: 'login_required', status: 400, description: 'The authorization server requires end-user authentication.', hint });

/**
 * OpenID Connect Core §3.1.2.3: whether a remembered login may stand in for a
 * new one. prompt=login, an exceeded max_age, or an id_token_hint naming
 * someone else all force the login page.
 */
async function mayReuse(session: LoginSession, request: AuthorizeRequest, now: number, client: Client, deps: AuthorizeDeps): Promise<boolean> {
  if (request.prompt.includes('login') || request.prompt.includes('select_account')) return false;
  if (request.maxAge !== undefined && now - session.authenticatedAt > request.maxAge * 1000) return false;
  const hinted = request.idTokenHintClaims?.['sub'];
  return hinted === undefined || hintNamesUser(hinted, session.subject, client, deps.pairwiseSalt, deps.forcedSubjects);
}

/** The request to run: the browser's, or (RFC 9126 §4) the pushed one its request_uri names, taken once. */
async function checkedRequest(params: Record<string, string>, deps: AuthorizeDeps) {
  const pushed = await pushedParams(params, deps);
  if (!pushed) return checkAuthorizeRequest(params, deps);
  const requestUrl = `${deps.authorizeUrl}?${new URLSearchParams({ client_id: params['client_id'] ?? '', request_uri: params['request_uri'] ?? '' })}`;
  return checkAuthorizeRequest(pushed, deps, { pushed: true, requestUrl });
}

async function startFlow(params: Record<string, string>, cookies: BrowserCookies, deps: AuthorizeDeps): Promise<HandlerResult> {
  const { client, request } = await checkedRequest(params, deps);
  const target = targetOf(request);
  const now = deps.clock.now();
  const session = await currentSession(deps, cookies);
  const skip = session !== undefined && (await mayReuse(session, request, now, client, deps));
  if (request.prompt.includes('none') && !skip) {
    throw new RedirectableError(loginRequired(session ? 'The session does not satisfy max_age or id_token_hint.' : 'There is no session to use with prompt=none.'), target);
  }
  if (!deps.urls.login) throw new RedirectableError(serverError('urls.login is not configured.'), target);

  const challenge = mintSecret();
  const browser = bindBrowser(cookies);
  // Built before the row is written: a flow nobody can be sent to must not exist.
  const location = withParams(deps.urls.login, { login_challenge: challenge.value });
  const flow: Flow = {
    // Time-ordered: it keys the flow row and, later, the consent and its tokens' family.
    id: timeOrderedId(now),
    state: 'login_requested',
    clientId: request.clientId,
    request,
    loginSkip: skip,
    loginSubject: skip ? session.subject : '',
    sessionId: skip ? session.id : randomToken(24),
    sessionAuthenticatedAt: skip ? session.authenticatedAt : undefined,
    sessionAcr: skip ? session.acr : undefined,
    sessionAmr: skip ? session.amr : undefined,
    requestedAt: now,
    expiresAt: now + deps.ttl.flow,
  };
  await deps.flows.create(flow, { hash: challenge.hash, sealed: sealLoginChallenge(deps.challengeSealer, flow.id, challenge.value) }, browser.hash);
  return redirect(location, browser.cookie ? [browser.cookie] : []);
}

/** Errors that cannot go to the client: to `urls.error` when configured, else shown as JSON; server errors are thrown. */
function shown(err: unknown, deps: AuthorizeDeps): HandlerResult {
  if (!(err instanceof OAuth2Error) || err.status >= 500 || !deps.errorUrl) throw err;
  return redirect(withParams(deps.errorUrl, { error: err.error, error_description: err.description, error_hint: err.hint }));
}

/** RFC 6749 §4.1.2.1: to the client's redirect_uri; a URI that cannot carry the error gets it shown instead. */
function redirected(err: RedirectableError, deps: AuthorizeDeps): HandlerResult {
  try {
    return errorResponse(err.target, err.oauth, deps.issuer);
  } catch (unsendable) {
    return shown(unsendable, deps);
  }
}

/**
 * GET/POST /oauth2/auth: a new authorization request, or the browser coming
 * back from the login app (`login_verifier`) or the consent app
 * (`consent_verifier`).
 */
export async function authorize(params: Record<string, string>, cookies: BrowserCookies, deps: AuthorizeDeps): Promise<HandlerResult> {
  try {
    if (params['login_verifier'] !== undefined) return await continueAfterLogin(params, cookies, deps);
    if (params['consent_verifier'] !== undefined) return await continueAfterConsent(params, cookies, deps);
    return await startFlow(params, cookies, deps);
  } catch (err) {
    return err instanceof RedirectableError ? redirected(err, deps) : shown(err, deps);
  }
}
