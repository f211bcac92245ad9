import { accessDenied, consentRequired, serverError } from '../../errors/catalog.js';
import { redirect, type Cookie, type HandlerResult } from '../../lib/result.js';
import { errorResponse, RedirectableError, withParams } from '../../oauth2/authorize/redirect.js';
import type { ConsentRecord } from '../../storage/ports.js';
import type { Client } from '../../clients/client.js';
import type { AuthorizeRequest, Flow, LoginOutcome } from '../flow.js';
import { COOKIES, type FlowDeps } from '../deps.js';
import { clearSessionCookie, type BrowserCookies } from '../browser.js';
import { hashSecret, mintSecret } from '../secrets.js';
import { flowForVerifier } from '../verifier.js';

/** A remembered consent covers a request that asks for nothing it did not grant. */
function covers(consent: ConsentRecord | undefined, request: AuthorizeRequest): boolean {
  return !!consent && request.scope.every((s) => consent.grantScope.includes(s)) && request.audience.every((a) => consent.grantAudience.includes(a));
}

/** The session cookie after this login: created, extended, cleared, or left alone. */
export async function rememberLogin(deps: FlowDeps, flow: Flow, login: LoginOutcome, cookies: BrowserCookies, now: number): Promise<Cookie[]> {
  const lifetime = login.rememberFor > 0 ? login.rememberFor * 1000 : deps.ttl.authenticationSession;
  const session = {
    id: flow.sessionId,
    subject: login.subject,
    authenticatedAt: flow.authenticatedAt ?? now,
    expiresAt: now + lifetime,
    acr: login.acr,
    amr: login.amr,
  };
  const cookie = (value: string): Cookie => ({ name: COOKIES.session, value, maxAgeSeconds: Math.floor(lifetime / 1000) });
  if (flow.loginSkip) {
    if (!login.extendSessionLifespan || !cookies.session) return [];
    await deps.loginSessions.save(session, hashSecret(cookies.session));
    return [cookie(cookies.session)];
  }
  // A fresh login replaces whatever session this browser had: the old one must not live on
  // for anyone holding its cookie.
  const previous = cookies.session ? await deps.loginSessions.bySecret(hashSecret(cookies.session)) : undefined;
  if (previous) await deps.loginSessions.delete({ id: previous.id });
  if (!login.remember) return cookies.session ? [clearSessionCookie] : [];
  const secret = mintSecret();
  await deps.loginSessions.save(session, secret.hash);
  return [cookie(secret.value)];
}

/**
 * A subject the login app forced for a pairwise client is recorded once the
 * login completed, so a later id_token_hint carrying it finds its user
 * (tokens/subject.ts hintNamesUser; Hydra does the same).
 */
export async function recordForcedSubject(deps: Pick<FlowDeps, 'forcedSubjects'>, client: Client | undefined, login: LoginOutcome): Promise<void> {
  if (login.forceSubjectIdentifier && client?.subject_type === 'pairwise') await deps.forcedSubjects.save(client.client_id, login.subject, login.forceSubjectIdentifier);
}

/** `/oauth2/auth?…&login_verifier=`: the browser is back from the login app. */
export async function continueAfterLogin(params: Record<string, string>, cookies: BrowserCookies, deps: FlowDeps): Promise<HandlerResult> {
  const { stored, target } = await flowForVerifier(deps, 'login_verifier', params, cookies, 'login_handled');
  const { flow } = stored;
  const login = flow.login;
  if (!login) throw serverError().withDebug('login_handled flow without a login outcome');
  if (login.rejected) {
    const response = errorResponse(target, login.rejected, deps.issuer);
    await deps.flows.transition(['login_handled'], { flow: { ...flow, state: 'done' } });
    return response;
  }

  const now = deps.clock.now();
  const client = await deps.clients.get(flow.clientId);
  const remembered = await deps.consents.latestRemembered(login.subject, flow.clientId, now);
  const asked = flow.request.prompt.includes('consent');
  // The consent re-used, if any: the new flow's consent row points at it, so revoking it reaches this flow's tokens.
  const reused = !asked && covers(remembered, flow.request) ? remembered : undefined;
  const consentSkip = !asked && (client?.skip_consent === true || reused !== undefined);
  if (flow.request.prompt.includes('none') && !consentSkip) {
    await deps.flows.transition(['login_handled'], { flow: { ...flow, state: 'done' } });
    throw new RedirectableError(consentRequired('prompt=none was requested but consent is needed.'), target);
  }
  if (!deps.urls.consent) throw new RedirectableError(serverError('urls.consent is not configured.'), target);

  const challenge = mintSecret();
  const location = withParams(deps.urls.consent, { consent_challenge: challenge.value });
  const authenticatedAt = flow.loginSkip ? (flow.sessionAuthenticatedAt ?? now) : now;
  const next: Flow = { ...flow, state: 'consent_requested', authenticatedAt, consentSkip, consentOrigin: reused?.id };
  if (!(await deps.flows.transition(['login_handled'], { flow: next, consentChallenge: challenge.hash }))) {
    throw new RedirectableError(accessDenied('The login_verifier has already been used.'), target);
  }
  await recordForcedSubject(deps, client, login);
  const sessionCookies = await rememberLogin(deps, next, login, cookies, now);
  return redirect(location, sessionCookies);
}
