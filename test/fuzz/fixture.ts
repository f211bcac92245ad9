import { createHash, randomBytes } from 'node:crypto';
import { Browser } from '../helpers/browser.js';
import { basic, createClient, form } from '../helpers/clients.js';
import { CONSENT_URL, LOGIN_URL, acceptLogin, challengeOf, runFlow } from '../helpers/flow.js';
import { request } from '../helpers/http.js';
import type { Values } from './encode.js';

/*
 * The real values the fuzzer mixes into requests, made fresh before each
 * operation is fuzzed: three clients (basic, post, public), tokens of a
 * finished flow, an unredeemed code, one pending challenge of each kind and
 * the ID-token key. With them the generated requests get past "unknown
 * client" and "unknown challenge" into the code behind.
 */

export const LOGOUT_URL = 'http://login.test/logout';
/** Tessera's configuration for a fuzzed server: the flows go to the (absent) login app. */
export const FUZZ_CONFIG = {
  urls: { login: LOGIN_URL, consent: CONSENT_URL, logout: LOGOUT_URL, device: { verification: 'http://login.test/device', success: 'http://login.test/device/success' } },
};

const REDIRECT = 'http://127.0.0.1:9999/callback';
const AFTER_LOGOUT = 'http://127.0.0.1:9999/signed-out';
const SCOPE = 'openid offline_access email profile';
const SUBJECT = 'fuzz-user';

interface Urls {
  readonly publicUrl: string;
  readonly adminUrl: string;
}

function authorizeUrl(t: Urls, clientId: string, challenge?: string): string {
  const q = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, scope: SCOPE, state: randomBytes(9).toString('base64url'), nonce: randomBytes(9).toString('base64url') });
  if (challenge) q.set('code_challenge', challenge), q.set('code_challenge_method', 'S256');
  return `${t.publicUrl}/oauth2/auth?${q}`;
}

async function pending(t: Urls, clientId: string, stage: 'login' | 'consent', subject: string): Promise<string> {
  const browser = new Browser();
  const start = await browser.get(authorizeUrl(t, clientId));
  const login = challengeOf(start.location, 'login_challenge');
  if (stage === 'login') return login;
  const next = await browser.get(await acceptLogin(t.adminUrl, login, { subject }));
  return challengeOf(next.location, 'consent_challenge');
}

const claimOf = (jwt: string, name: string): string => {
  const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
  return String(payload[name] ?? '');
};

/** `subject`: who signs in (the login app's fixture needs one of its users). */
export async function makeFixture(t: Urls, subject = SUBJECT): Promise<Values> {
  const registration = { redirect_uris: [REDIRECT], post_logout_redirect_uris: [AFTER_LOGOUT], grant_types: ['authorization_code', 'refresh_token', 'client_credentials'], scope: SCOPE };
  const confidential = await createClient(t.adminUrl, registration);
  const post = await createClient(t.adminUrl, { ...registration, token_endpoint_auth_method: 'client_secret_post' });
  const pub = await createClient(t.adminUrl, { ...registration, grant_types: ['authorization_code', 'refresh_token'], token_endpoint_auth_method: 'none' });

  // A finished flow (remembered, so the browser keeps a session) and its tokens.
  const browser = new Browser();
  const remember = { login: { subject, remember: true }, consent: { remember: true } };
  const first = await runFlow(browser, t.adminUrl, authorizeUrl(t, confidential.client_id), remember);
  const exchange = form({ grant_type: 'authorization_code', code: first.searchParams.get('code') ?? '', redirect_uri: REDIRECT });
  const tokens = await request<Record<string, string>>(t.publicUrl, 'POST', '/oauth2/token', { ...exchange, headers: { ...exchange.headers, authorization: basic(confidential.client_id, confidential.client_secret) } });
  if (tokens.status !== 200) throw new Error(`fixture: code exchange failed: ${tokens.text}`);

  // A second code, with PKCE, left unredeemed.
  const verifier = randomBytes(32).toString('base64url');
  const second = await runFlow(browser, t.adminUrl, authorizeUrl(t, pub.client_id, createHash('sha256').update(verifier).digest('base64url')), remember);

  const logout = await browser.get(`${t.publicUrl}/oauth2/sessions/logout`);
  const sessions = await request<{ consent_request_id: string }[]>(t.adminUrl, 'GET', `/admin/oauth2/auth/sessions/consent?subject=${encodeURIComponent(subject)}`);
  const jwks = await request<{ keys: { kid: string }[] }>(t.publicUrl, 'GET', '/.well-known/jwks.json');
  const idToken = tokens.body['id_token'] ?? '';
  return {
    clientId: confidential.client_id,
    clientSecret: confidential.client_secret,
    publicClientId: pub.client_id,
    postClientId: post.client_id,
    postClientSecret: post.client_secret,
    redirectUri: REDIRECT,
    postLogoutRedirectUri: AFTER_LOGOUT,
    loginChallenge: await pending(t, confidential.client_id, 'login', subject),
    consentChallenge: await pending(t, confidential.client_id, 'consent', subject),
    logoutChallenge: new URL(logout.location ?? 'http://x/').searchParams.get('logout_challenge') ?? '',
    code: second.searchParams.get('code') ?? '',
    codeVerifier: verifier,
    accessToken: tokens.body['access_token'] ?? '',
    refreshToken: tokens.body['refresh_token'] ?? '',
    idToken,
    subject,
    sid: claimOf(idToken, 'sid'),
    keySet: 'hydra.openid.id-token',
    kid: jwks.body.keys[0]?.kid ?? '',
    consentRequestId: sessions.body[0]?.consent_request_id ?? '',
    csrf: 'no-csrf-here',
    appCookie: '',
  };
}
