import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import type { Running } from '../helpers/tessera.js';
import type { Browser } from '../helpers/browser.js';
import type { CreatedClient } from '../helpers/clients.js';
import { basic, form } from '../helpers/clients.js';
import { CONSENT_URL, LOGIN_URL } from '../helpers/flow.js';
import { request, type Answer } from '../helpers/http.js';

/*
 * What the login-consent suites share: the client's side (authorize URLs,
 * code exchange) and the login app's side (the Hydra v2 admin calls), all
 * over HTTP. Shapes are written out here from Hydra's API, not imported from
 * the server's contract, so a drift in the contract shows up as a failure.
 */

export const REDIRECT = 'http://127.0.0.1:9999/callback';

export const uid = (): string => randomBytes(5).toString('hex');

export interface WireClient {
  readonly client_id: string;
  readonly client_secret?: string;
  readonly [field: string]: unknown;
}

export interface OidcContext {
  readonly acr_values?: string[];
  readonly display?: string;
  readonly login_hint?: string;
  readonly ui_locales?: string[];
}

export interface LoginRequest {
  readonly challenge: string;
  readonly client: WireClient;
  readonly request_url: string;
  readonly requested_scope: string[];
  readonly requested_access_token_audience: string[];
  readonly skip: boolean;
  readonly subject: string;
  readonly oidc_context: OidcContext;
  readonly session_id: string;
}

export interface ConsentRequest {
  readonly challenge: string;
  readonly consent_request_id: string;
  readonly client: WireClient;
  readonly request_url: string;
  readonly requested_scope: string[];
  readonly requested_access_token_audience: string[];
  readonly skip: boolean;
  readonly subject: string;
  readonly oidc_context: OidcContext;
  readonly login_session_id: string;
  readonly acr: string;
  readonly amr: string[];
  readonly context?: unknown;
}

export interface RedirectTo {
  readonly redirect_to: string;
}

export interface ErrorBody {
  readonly error: string;
  readonly error_description: string;
}

export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: string;
  readonly expires_in: number;
  readonly scope: string;
  readonly refresh_token?: string;
  readonly id_token?: string;
}

/** An authorization request as a client builds it, with the PKCE verifier it keeps. */
export interface Authorization {
  readonly url: string;
  readonly state: string;
  readonly verifier: string;
}

/** RFC 6749 §4.1.1 + RFC 7636 S256; `params` adds to or overrides the defaults. */
export function authorization(t: Running, clientId: string, params: Record<string, string> = {}): Authorization {
  const verifier = randomBytes(32).toString('base64url');
  const state = `state-${uid()}`;
  const query = new URLSearchParams({
    client_id: clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid offline_access',
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...params,
  });
  return { url: `${t.publicUrl}/oauth2/auth?${query.toString()}`, state, verifier };
}

/** The login app's and consent app's admin calls (Hydra v2 paths). */
export function adminApi(t: Running) {
  const path = (kind: 'login' | 'consent', action: '' | '/accept' | '/reject', challenge: string) =>
    `/admin/oauth2/auth/requests/${kind}${action}?${kind}_challenge=${encodeURIComponent(challenge)}`;
  return {
    getLogin: (challenge: string) => request<LoginRequest>(t.adminUrl, 'GET', path('login', '', challenge)),
    acceptLogin: (challenge: string, body: unknown) => request<RedirectTo>(t.adminUrl, 'PUT', path('login', '/accept', challenge), { json: body }),
    rejectLogin: (challenge: string, body?: unknown) => request<RedirectTo>(t.adminUrl, 'PUT', path('login', '/reject', challenge), body === undefined ? {} : { json: body }),
    getConsent: (challenge: string) => request<ConsentRequest>(t.adminUrl, 'GET', path('consent', '', challenge)),
    acceptConsent: (challenge: string, body: unknown) => request<RedirectTo>(t.adminUrl, 'PUT', path('consent', '/accept', challenge), { json: body }),
    rejectConsent: (challenge: string, body?: unknown) => request<RedirectTo>(t.adminUrl, 'PUT', path('consent', '/reject', challenge), body === undefined ? {} : { json: body }),
  };
}

/** A 200 `{redirect_to}` answer's target. */
export function redirectTo(res: Answer<RedirectTo>): string {
  expect(res.status, res.text).to.equal(200);
  expect(res.body.redirect_to, res.text).to.be.a('string');
  return res.body.redirect_to;
}

/** The browser's GET must be a 302 to `base` carrying `name`. */
async function hop(browser: Browser, url: string, base: string, name: string): Promise<string> {
  const res = await browser.get(url);
  expect(res.status, `${url} → ${res.status} ${res.location ?? res.body}`).to.equal(302);
  const location = new URL(res.location ?? '');
  expect(`${location.origin}${location.pathname}`, res.location).to.equal(base);
  const value = location.searchParams.get(name);
  expect(value, `${name} in ${res.location}`).to.be.a('string').and.not.equal('');
  return value ?? '';
}

/** /oauth2/auth → the login app: the login_challenge. */
export const toLogin = (browser: Browser, url: string) => hop(browser, url, LOGIN_URL, 'login_challenge');
/** login_verifier → the consent app: the consent_challenge. */
export const toConsent = (browser: Browser, url: string) => hop(browser, url, CONSENT_URL, 'consent_challenge');
/** consent_verifier → the client with a code. */
export const toCode = (browser: Browser, url: string) => hop(browser, url, REDIRECT, 'code');

/** Where the browser was sent, when it was sent back to the client. */
export function atClient(res: { status: number; location: string | undefined; body: string }): URL {
  expect(res.status, `${res.status} ${res.location ?? res.body}`).to.equal(302);
  const location = new URL(res.location ?? '');
  expect(`${location.origin}${location.pathname}`, res.location).to.equal(REDIRECT);
  return location;
}

/** An OAuth error at the client's redirect_uri, with state and RFC 9207 iss, and no code. */
export function errorAtClient(res: { status: number; location: string | undefined; body: string }, t: Running, state: string): URL {
  const url = atClient(res);
  expect(url.searchParams.get('code'), url.href).to.equal(null);
  expect(url.searchParams.get('error'), url.href).to.be.a('string').and.not.equal('');
  expect(url.searchParams.get('state'), url.href).to.equal(state);
  expect(url.searchParams.get('iss'), url.href).to.equal(t.config.urls.self.issuer);
  return url;
}

/**
 * A dead verifier: refused outright (a 4xx shown to the user) or an error
 * sent to the client; never the next step and never a code.
 */
export function refused(res: { status: number; location: string | undefined; body: string }, errors: readonly string[] = ['access_denied', 'invalid_request']): void {
  if (res.status >= 400 && res.status < 500) {
    const body = JSON.parse(res.body) as Partial<ErrorBody>;
    expect(errors, res.body).to.include(body.error);
    return;
  }
  expect(res.status, `${res.status} ${res.location ?? res.body}`).to.equal(302);
  const url = new URL(res.location ?? '');
  expect(`${url.origin}${url.pathname}`, res.location).to.equal(REDIRECT);
  expect(url.searchParams.get('code'), url.href).to.equal(null);
  expect(errors, url.href).to.include(url.searchParams.get('error'));
}

/** RFC 6749 §4.1.3 with PKCE and client_secret_basic. */
export function exchange(t: Running, client: CreatedClient, code: string, verifier: string): Promise<Answer<TokenResponse>> {
  const f = form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier });
  return request<TokenResponse>(t.publicUrl, 'POST', '/oauth2/token', {
    body: f.body,
    headers: { ...f.headers, authorization: basic(client.client_id, client.client_secret) },
  });
}

/** The payload of a compact JWS (the signature is openid-client's suite's business). */
export function claims(jwt: string | undefined): Record<string, unknown> {
  expect(jwt, 'an ID token').to.be.a('string');
  const [, payload = ''] = (jwt ?? '').split('.');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The cookie named `name` among the Set-Cookie lines, with its attributes lower-cased by name. */
export function setCookie(headers: Headers, name: string): { value: string; attributes: Map<string, string> } | undefined {
  for (const line of headers.getSetCookie()) {
    const [pair = '', ...rest] = line.split(';').map((p) => p.trim());
    const eq = pair.indexOf('=');
    if (pair.slice(0, eq) !== name) continue;
    const attributes = new Map<string, string>();
    for (const a of rest) {
      const i = a.indexOf('=');
      attributes.set((i < 0 ? a : a.slice(0, i)).toLowerCase(), i < 0 ? '' : a.slice(i + 1));
    }
    return { value: pair.slice(eq + 1), attributes };
  }
  return undefined;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface Completed {
  readonly authz: Authorization;
  readonly login: LoginRequest;
  readonly consent: ConsentRequest;
  readonly code: string;
}

/** One whole flow in `browser`: authorize, read and accept login, read and accept consent (granting what was asked). */
export async function completeFlow(
  t: Running,
  browser: Browser,
  clientId: string,
  options: { params?: Record<string, string>; login?: Record<string, unknown>; consent?: Record<string, unknown> } = {},
): Promise<Completed> {
  const api = adminApi(t);
  const authz = authorization(t, clientId, options.params);
  const loginChallenge = await toLogin(browser, authz.url);
  const login = await api.getLogin(loginChallenge);
  expect(login.status, login.text).to.equal(200);
  const subject = login.body.skip ? login.body.subject : 'user-1';
  const consentChallenge = await toConsent(browser, redirectTo(await api.acceptLogin(loginChallenge, { subject, ...options.login })));
  const consent = await api.getConsent(consentChallenge);
  expect(consent.status, consent.text).to.equal(200);
  const grant = { grant_scope: consent.body.requested_scope, grant_access_token_audience: consent.body.requested_access_token_audience };
  const code = await toCode(browser, redirectTo(await api.acceptConsent(consentChallenge, { ...grant, ...options.consent })));
  return { authz, login: login.body, consent: consent.body, code };
}
