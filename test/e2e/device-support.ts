import { expect } from 'chai';
import { Browser } from '../helpers/browser.js';
import { basic, form, type CreatedClient } from '../helpers/clients.js';
import { acceptConsent, acceptLogin, challengeOf, CONSENT_URL, LOGIN_URL, type ConsentDecision, type LoginDecision } from '../helpers/flow.js';
import { request, type Answer } from '../helpers/http.js';

/** Where the test login app's device pages "live"; the tests play the app's part. */
export const DEVICE_PAGE = 'http://login.test/device';
export const DEVICE_SUCCESS = 'http://login.test/device/success';
export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
export const DEVICE_URLS = { urls: { login: LOGIN_URL, consent: CONSENT_URL, device: { verification: DEVICE_PAGE, success: DEVICE_SUCCESS } } };
export const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;

export interface DeviceAuthorization {
  readonly device_code: string;
  readonly user_code: string;
  readonly verification_uri: string;
  readonly verification_uri_complete: string;
  readonly expires_in: number;
  readonly interval: number;
}

export interface Urls {
  readonly publicUrl: string;
  readonly adminUrl: string;
}

/** Credentials as the client sends them: Basic for a confidential client, client_id alone for a public one. */
function credentials(client: CreatedClient): { params: Record<string, string>; headers: Record<string, string> } {
  return client.client_secret ? { params: {}, headers: { authorization: basic(client.client_id, client.client_secret) } } : { params: { client_id: client.client_id }, headers: {} };
}

export async function deviceAuth(t: Urls, client: CreatedClient, params: Record<string, string> = {}): Promise<Answer<DeviceAuthorization & { error?: string }>> {
  const c = credentials(client);
  const f = form({ ...c.params, ...params });
  return request(t.publicUrl, 'POST', '/oauth2/device/auth', { body: f.body, headers: { ...f.headers, ...c.headers } });
}

export interface TokenAnswer {
  readonly access_token?: string;
  readonly refresh_token?: string;
  readonly id_token?: string;
  readonly scope?: string;
  readonly error?: string;
  readonly error_description?: string;
}

export async function poll(t: Urls, client: CreatedClient, deviceCode: string): Promise<Answer<TokenAnswer>> {
  const c = credentials(client);
  const f = form({ ...c.params, grant_type: DEVICE_GRANT, device_code: deviceCode });
  return request(t.publicUrl, 'POST', '/oauth2/token', { body: f.body, headers: { ...f.headers, ...c.headers } });
}

/** GET /oauth2/device/verify (optionally the complete URI's query) in `browser`: the device challenge the code page receives. */
export async function deviceChallenge(browser: Browser, t: Urls, query = ''): Promise<{ challenge: string; userCode: string | null }> {
  const res = await browser.get(`${t.publicUrl}/oauth2/device/verify${query}`);
  expect(res.status, res.body).to.equal(302);
  const location = new URL(res.location ?? '');
  expect(`${location.origin}${location.pathname}`).to.equal(DEVICE_PAGE);
  return { challenge: location.searchParams.get('device_challenge') ?? '', userCode: location.searchParams.get('user_code') };
}

export async function acceptUserCode(t: Urls, challenge: string, userCode: string): Promise<Answer<{ redirect_to?: string; error?: string; error_description?: string }>> {
  return request(t.adminUrl, 'PUT', `/admin/oauth2/auth/requests/device/accept?device_challenge=${encodeURIComponent(challenge)}`, { json: { user_code: userCode } });
}

/**
 * The user's side, as the login app drives it: the code page, the code,
 * then login and consent as in the code flow. Returns the last redirect
 * (urls.device.success, or the error shown).
 */
export async function approve(
  browser: Browser,
  t: Urls,
  userCode: string,
  options: { login?: LoginDecision; consent?: ConsentDecision; rejectLogin?: boolean; rejectConsent?: boolean } = {},
): Promise<{ status: number; location: string | undefined; body: string }> {
  const { challenge } = await deviceChallenge(browser, t);
  const accepted = await acceptUserCode(t, challenge, userCode);
  expect(accepted.status, accepted.text).to.equal(200);
  const toLogin = await browser.get(accepted.body.redirect_to ?? '');
  expect(toLogin.status, toLogin.body).to.equal(302);
  const loginChallenge = challengeOf(toLogin.location, 'login_challenge');
  const afterLogin = options.rejectLogin
    ? await browser.get(await reject(t, 'login', loginChallenge))
    : await browser.get(await acceptLogin(t.adminUrl, loginChallenge, options.login));
  if (options.rejectLogin) return afterLogin;
  expect(afterLogin.status, afterLogin.body).to.equal(302);
  const consentChallenge = challengeOf(afterLogin.location, 'consent_challenge');
  const next = options.rejectConsent ? await reject(t, 'consent', consentChallenge) : await acceptConsent(t.adminUrl, consentChallenge, options.consent);
  return browser.get(next);
}

async function reject(t: Urls, kind: 'login' | 'consent', challenge: string): Promise<string> {
  const res = await request<{ redirect_to: string }>(t.adminUrl, 'PUT', `/admin/oauth2/auth/requests/${kind}/reject?${kind}_challenge=${encodeURIComponent(challenge)}`, {
    json: { error: 'access_denied', error_description: `The user said no at ${kind}.` },
  });
  expect(res.status, res.text).to.equal(200);
  return res.body.redirect_to;
}
