import { expect } from 'chai';
import { Browser } from './browser.js';
import { request } from './http.js';

/** Where the test login and consent "apps" live; nothing listens there, the tests play their part. */
export const LOGIN_URL = 'http://login.test/login';
export const CONSENT_URL = 'http://login.test/consent';
export const FLOW_URLS = { urls: { login: LOGIN_URL, consent: CONSENT_URL } };

export interface LoginDecision {
  readonly subject?: string;
  readonly remember?: boolean;
  readonly remember_for?: number;
  readonly acr?: string;
  readonly amr?: string[];
  readonly context?: unknown;
  /** Hydra's: a pairwise client's subject instead of the computed one (OIDC Core §8.1). */
  readonly force_subject_identifier?: string;
}

export interface ConsentDecision {
  readonly grant_scope?: string[];
  readonly grant_access_token_audience?: string[];
  readonly remember?: boolean;
  readonly remember_for?: number;
  readonly session?: { access_token?: Record<string, unknown>; id_token?: Record<string, unknown> };
}

export function challengeOf(location: string | undefined, name: 'login_challenge' | 'consent_challenge'): string {
  expect(location, `expected a redirect carrying ${name}`).to.be.a('string');
  const value = new URL(location ?? '').searchParams.get(name);
  expect(value, `${name} in ${location}`).to.be.a('string');
  return value ?? '';
}

/** The login app's part: read the request, accept it; returns redirect_to. */
export async function acceptLogin(adminUrl: string, challenge: string, decision: LoginDecision = {}): Promise<string> {
  const res = await request<{ redirect_to: string }>(adminUrl, 'PUT', `/admin/oauth2/auth/requests/login/accept?login_challenge=${encodeURIComponent(challenge)}`, {
    json: { subject: 'user-1', ...decision },
  });
  expect(res.status, res.text).to.equal(200);
  return res.body.redirect_to;
}

/** The consent app's part: grant what was requested unless told otherwise; returns redirect_to. */
export async function acceptConsent(adminUrl: string, challenge: string, decision: ConsentDecision = {}): Promise<string> {
  const got = await request<{ requested_scope: string[]; requested_access_token_audience: string[] }>(
    adminUrl,
    'GET',
    `/admin/oauth2/auth/requests/consent?consent_challenge=${encodeURIComponent(challenge)}`,
  );
  expect(got.status, got.text).to.equal(200);
  const res = await request<{ redirect_to: string }>(adminUrl, 'PUT', `/admin/oauth2/auth/requests/consent/accept?consent_challenge=${encodeURIComponent(challenge)}`, {
    json: { grant_scope: got.body.requested_scope, grant_access_token_audience: got.body.requested_access_token_audience, ...decision },
  });
  expect(res.status, res.text).to.equal(200);
  return res.body.redirect_to;
}

/**
 * Runs authorize → login → consent in `browser` and returns the final
 * redirect (the client's redirect_uri with `code`, or with `error`).
 */
export async function runFlow(
  browser: Browser,
  adminUrl: string,
  authorizeUrl: string,
  options: { login?: LoginDecision; consent?: ConsentDecision } = {},
): Promise<URL> {
  const start = await browser.get(authorizeUrl);
  expect(start.status, start.body).to.equal(302);
  const afterLogin = await browser.get(await acceptLogin(adminUrl, challengeOf(start.location, 'login_challenge'), options.login));
  expect(afterLogin.status, afterLogin.body).to.equal(302);
  const done = await browser.get(await acceptConsent(adminUrl, challengeOf(afterLogin.location, 'consent_challenge'), options.consent));
  expect(done.status, done.body).to.equal(302);
  return new URL(done.location ?? '');
}
