import { accessDenied, invalidRequest, requestForbidden, serverError } from '../../errors/catalog.js';
import { redirect, type HandlerResult } from '../../lib/result.js';
import { callerNetwork } from '../../lib/ip-ranges.js';
import { randomToken } from '../../lib/crypto.js';
import { withParams } from '../../oauth2/authorize/redirect.js';
import { displayUserCode, normalizeUserCode } from '../../oauth2/device/user-code.js';
import { bindBrowser, currentSession, sameBrowser, type BrowserCookies } from '../browser.js';
import { sealLoginChallenge } from '../login-challenge.js';
import { hashSecret, mintSecret } from '../secrets.js';
import type { AuthorizeRequest, Flow } from '../flow.js';
import { verifyUrl, type DeviceFlowDeps } from './deps.js';

/**
 * GET /oauth2/device/verify without a verifier (RFC 8628 §3.3): a device
 * challenge for this browser, then the login app's code page. A `user_code`
 * (from `verification_uri_complete`) travels on for the page to pre-fill,
 * only when it is shaped like one.
 */
export async function startDeviceVerification(params: Record<string, string>, cookies: BrowserCookies, peer: string | undefined, deps: DeviceFlowDeps): Promise<HandlerResult> {
  const page = deps.deviceUrls.verification;
  if (!page) throw serverError('urls.device.verification is not configured.');
  const typed = params['user_code'] === undefined ? undefined : normalizeUserCode(params['user_code']);
  const challenge = mintSecret();
  const browser = bindBrowser(cookies);
  const location = withParams(page, { device_challenge: challenge.value, user_code: typed === undefined ? undefined : displayUserCode(typed) });
  const now = deps.clock.now();
  await deps.devices.createChallenge({
    id: challenge.hash,
    state: 'device_requested',
    browser: browser.hash,
    // Hashed: the throttle only needs to tell networks apart.
    network: hashSecret(callerNetwork(peer ?? '')),
    failures: 0,
    requestedAt: now,
    expiresAt: now + deps.ttl.flow,
  });
  return redirect(location, browser.cookie ? [browser.cookie] : []);
}

/**
 * `/oauth2/device/verify?device_verifier=…`: the user code was accepted. The
 * challenge ends (once), and the login/consent flow of the device request
 * begins exactly as /oauth2/auth begins one: same login challenge, same
 * remembered session. Its id is the device request's, so a request has at
 * most one flow, and its consent and tokens share that id.
 */
export async function continueAfterDeviceVerifier(params: Record<string, string>, cookies: BrowserCookies, deps: DeviceFlowDeps): Promise<HandlerResult> {
  const challenge = await deps.devices.findChallenge('verifier', hashSecret(params['device_verifier'] ?? ''));
  if (!challenge) throw invalidRequest('The device_verifier is not valid.');
  const now = deps.clock.now();
  if (challenge.state !== 'device_handled') throw accessDenied('The device_verifier has already been used.');
  if (challenge.expiresAt <= now) throw invalidRequest('The device verification has expired; enter the code again.');
  if (!sameBrowser(challenge, cookies)) throw requestForbidden('The device_verifier was presented by another browser than the one that entered the code.');
  const device = challenge.deviceRequestId === undefined ? undefined : await deps.devices.get(challenge.deviceRequestId);
  if (!device || device.expiresAt <= now) throw invalidRequest('The user code has expired; start again on the device.');
  if (params['client_id'] !== undefined && params['client_id'] !== device.clientId) throw invalidRequest('client_id does not match the device request.');
  if (!deps.urls.login) throw serverError('urls.login is not configured.');

  const login = mintSecret();
  const location = withParams(deps.urls.login, { login_challenge: login.value });
  if (!(await deps.devices.finishChallenge(challenge.id))) throw accessDenied('The device_verifier has already been used.');
  // No prompt, max_age or id_token_hint in a device request: a valid remembered login stands.
  const session = await currentSession(deps, cookies);
  const request: AuthorizeRequest = {
    clientId: device.clientId,
    redirectUri: '',
    redirectUriSent: false,
    scope: device.scope,
    audience: device.audience,
    prompt: [],
    acrValues: [],
    uiLocales: [],
    requestUrl: withParams(verifyUrl(deps), { client_id: device.clientId }),
  };
  const flow: Flow = {
    id: device.id,
    device: true,
    state: 'login_requested',
    clientId: device.clientId,
    request,
    loginSkip: session !== undefined,
    loginSubject: session?.subject ?? '',
    sessionId: session?.id ?? randomToken(24),
    sessionAuthenticatedAt: session?.authenticatedAt,
    sessionAcr: session?.acr,
    sessionAmr: session?.amr,
    requestedAt: now,
    expiresAt: now + deps.ttl.flow,
  };
  await deps.flows.create(flow, { hash: login.hash, sealed: sealLoginChallenge(deps.challengeSealer, flow.id, login.value) }, challenge.browser);
  return redirect(location);
}
