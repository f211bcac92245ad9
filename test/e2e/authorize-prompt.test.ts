import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { describeEachBackend, type Database } from '../helpers/databases.js';
import { startTessera, type Running } from '../helpers/tessera.js';
import { basic, createClient, form, type CreatedClient } from '../helpers/clients.js';
import { Browser } from '../helpers/browser.js';
import { FLOW_URLS, LOGIN_URL, CONSENT_URL, acceptLogin, challengeOf, runFlow } from '../helpers/flow.js';
import { request } from '../helpers/http.js';

/*
 * Remembered sessions at /oauth2/auth: prompt, max_age and id_token_hint as
 * OpenID Connect Core §3.1.2.1 and §3.1.2.6 define them, ported from the
 * conformance modules oidcc-prompt-none-not-logged-in / -logged-in,
 * oidcc-prompt-login, oidcc-max-age-1 / -10000 and oidcc-id-token-hint.
 */

const REDIRECT = 'https://client.example/cb';
const STATE = 'state-0123456789';
const VERIFIER = 'v'.repeat(43) + '-authorize-prompt';
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');

interface LoginRequest {
  skip: boolean;
  subject: string;
  oidc_context: { id_token_hint_claims?: Record<string, unknown> };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeEachBackend('/oauth2/auth: prompt, max_age and id_token_hint', (backend) => {
  let db: Database;
  let t: Running;
  let client: CreatedClient;
  let counter = 0;
  /** A subject of its own for each test: remembered consents are per subject and client. */
  const someone = (name: string) => `${name}-${++counter}`;

  before(async () => {
    db = await backend.create();
    t = await startTessera(db, FLOW_URLS);
    client = await createClient(t.adminUrl, { redirect_uris: [REDIRECT], scope: 'openid offline_access', grant_types: ['authorization_code', 'refresh_token'] });
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  function authorizeUrl(extra: Record<string, string> = {}): string {
    const params = { client_id: client.client_id, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', state: STATE, code_challenge: CHALLENGE, code_challenge_method: 'S256', ...extra };
    return `${t.publicUrl}/oauth2/auth?${new URLSearchParams(params).toString()}`;
  }

  /** A full login (remembered) and consent in `browser`; returns the callback. */
  function signIn(browser: Browser, subject: string, rememberConsent = false): Promise<URL> {
    return runFlow(browser, t.adminUrl, authorizeUrl(), { login: { subject, remember: true }, consent: { remember: rememberConsent } });
  }

  /** Starts a request in `browser` and reads the login request it leads to. */
  async function loginRequestFor(browser: Browser, extra: Record<string, string>): Promise<{ challenge: string; login: LoginRequest }> {
    const res = await browser.get(authorizeUrl(extra));
    expect(res.status, res.body).to.equal(302);
    expect(res.location ?? '').to.satisfy((l: string) => l.startsWith(`${LOGIN_URL}?`), `to the login app, not ${res.location}`);
    const challenge = challengeOf(res.location, 'login_challenge');
    const got = await request<LoginRequest>(t.adminUrl, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${encodeURIComponent(challenge)}`);
    expect(got.status, got.text).to.equal(200);
    return { challenge, login: got.body };
  }

  /** An error redirected to the client, with state and iss. */
  function expectError(location: string | undefined, error: string): void {
    expect(location, 'a redirect').to.be.a('string');
    const url = new URL(location ?? '');
    expect(`${url.origin}${url.pathname}`).to.equal(REDIRECT);
    expect(url.searchParams.get('error'), location).to.equal(error);
    expect(url.searchParams.get('error_description')).to.be.a('string').and.not.equal('');
    expect(url.searchParams.get('state')).to.equal(STATE);
    expect(url.searchParams.get('iss')).to.equal(t.config.urls.self.issuer);
    expect(url.searchParams.get('code')).to.equal(null);
  }

  /** The client's part: the code exchanged at /oauth2/token, for its ID token. */
  async function idTokenOf(callback: URL): Promise<string> {
    const code = callback.searchParams.get('code');
    expect(code, callback.href).to.be.a('string');
    const { body, headers } = form({ grant_type: 'authorization_code', code: code ?? '', redirect_uri: REDIRECT, code_verifier: VERIFIER });
    const res = await request<{ id_token?: string }>(t.publicUrl, 'POST', '/oauth2/token', { body, headers: { ...headers, authorization: basic(client.client_id, client.client_secret) } });
    expect(res.status, res.text).to.equal(200);
    expect(res.body.id_token).to.be.a('string');
    return res.body.id_token ?? '';
  }

  it('redirects login_required for prompt=none without a session', async () => {
    const res = await new Browser().get(authorizeUrl({ prompt: 'none' }));
    expect(res.status, res.body).to.equal(302);
    expectError(res.location, 'login_required');
  });

  it('skips the login for prompt=none with a remembered session, naming its subject', async () => {
    const browser = new Browser();
    const alice = someone('alice');
    await signIn(browser, alice);
    const { login } = await loginRequestFor(browser, { prompt: 'none' });
    expect(login).to.include({ skip: true, subject: alice });
  });

  it('does not skip a remembered session for another browser', async () => {
    await signIn(new Browser(), someone('alice'));
    const { login } = await loginRequestFor(new Browser(), {});
    expect(login).to.include({ skip: false, subject: '' });
  });

  it('forces the login page for prompt=login despite a remembered session', async () => {
    const browser = new Browser();
    await signIn(browser, someone('alice'));
    const { login } = await loginRequestFor(browser, { prompt: 'login' });
    expect(login).to.include({ skip: false, subject: '' });
  });

  it('forces the login page for max_age=0 once a second has passed, and refuses prompt=none then', async () => {
    const browser = new Browser();
    await signIn(browser, someone('alice'));
    await sleep(1100);
    const { login } = await loginRequestFor(browser, { max_age: '0' });
    expect(login).to.include({ skip: false, subject: '' });
    const silent = await browser.get(authorizeUrl({ max_age: '0', prompt: 'none' }));
    expectError(silent.location, 'login_required');
  });

  it('skips the login for a max_age the session is within', async () => {
    const browser = new Browser();
    const alice = someone('alice');
    await signIn(browser, alice);
    const { login } = await loginRequestFor(browser, { max_age: '3600' });
    expect(login).to.include({ skip: true, subject: alice });
  });

  it('keeps skip for an id_token_hint of the same subject, and passes its claims on', async () => {
    const browser = new Browser();
    const alice = someone('alice');
    const hint = await idTokenOf(await signIn(browser, alice));
    const { login } = await loginRequestFor(browser, { prompt: 'none', id_token_hint: hint });
    expect(login).to.include({ skip: true, subject: alice });
    expect(login.oidc_context.id_token_hint_claims?.['sub']).to.equal(alice);
  });

  it('refuses prompt=none with an id_token_hint for another subject, and asks for a login without prompt', async () => {
    const aliceBrowser = new Browser();
    await signIn(aliceBrowser, someone('alice'));
    const bobHint = await idTokenOf(await signIn(new Browser(), someone('bob')));

    const silent = await aliceBrowser.get(authorizeUrl({ prompt: 'none', id_token_hint: bobHint }));
    expect(silent.status, silent.body).to.equal(302);
    expectError(silent.location, 'login_required');

    const { login } = await loginRequestFor(aliceBrowser, { id_token_hint: bobHint });
    expect(login).to.include({ skip: false, subject: '' });
  });

  it('refuses to accept a skipped login for another subject', async () => {
    const browser = new Browser();
    await signIn(browser, someone('alice'));
    const { challenge } = await loginRequestFor(browser, { prompt: 'none' });
    const res = await request<{ error: string }>(t.adminUrl, 'PUT', `/admin/oauth2/auth/requests/login/accept?login_challenge=${encodeURIComponent(challenge)}`, {
      json: { subject: someone('mallory') },
    });
    expect(res.status, res.text).to.equal(400);
  });

  it('remembers the login in a tessera_session cookie: HttpOnly, SameSite=Lax, Path=/, with a Max-Age', async () => {
    const browser = new Browser();
    const start = await browser.get(authorizeUrl());
    const back = await browser.get(await acceptLogin(t.adminUrl, challengeOf(start.location, 'login_challenge'), { subject: someone('alice'), remember: true, remember_for: 600 }));
    expect(back.status, back.body).to.equal(302);
    const line = back.headers.getSetCookie().find((l) => l.startsWith('tessera_session='));
    expect(line, JSON.stringify(back.headers.getSetCookie())).to.be.a('string');
    const attributes = (line ?? '').split(';').slice(1).map((a) => a.trim().toLowerCase());
    expect(attributes).to.include.members(['httponly', 'samesite=lax', 'path=/', 'max-age=600']);
    expect(attributes).not.to.include('secure');
  });

  it('redirects login_required for prompt=none with a valid id_token_hint but no session', async () => {
    const hint = await idTokenOf(await signIn(new Browser(), someone('alice')));
    const res = await new Browser().get(authorizeUrl({ prompt: 'none', id_token_hint: hint }));
    expectError(res.location, 'login_required');
  });

  it('redirects consent_required for prompt=none when consent was not remembered', async () => {
    const browser = new Browser();
    const alice = someone('alice');
    await signIn(browser, alice, false);
    const { challenge, login } = await loginRequestFor(browser, { prompt: 'none' });
    expect(login.skip).to.equal(true);
    const back = await browser.get(await acceptLogin(t.adminUrl, challenge, { subject: alice }));
    expect(back.status, back.body).to.equal(302);
    expectError(back.location, 'consent_required');
  });

  it('redirects consent_required for prompt=none asking for more than the remembered consent', async () => {
    const browser = new Browser();
    const alice = someone('alice');
    await signIn(browser, alice, true);
    const { challenge } = await loginRequestFor(browser, { prompt: 'none', scope: 'openid offline_access' });
    const back = await browser.get(await acceptLogin(t.adminUrl, challenge, { subject: alice }));
    expectError(back.location, 'consent_required');
  });

  it('asks for consent again with prompt=consent despite a remembered consent', async () => {
    const browser = new Browser();
    const alice = someone('alice');
    await signIn(browser, alice, true);
    const { challenge } = await loginRequestFor(browser, { prompt: 'consent' });
    const toConsent = await browser.get(await acceptLogin(t.adminUrl, challenge, { subject: alice }));
    const consentChallenge = challengeOf(toConsent.location, 'consent_challenge');
    const consent = await request<{ skip: boolean }>(t.adminUrl, 'GET', `/admin/oauth2/auth/requests/consent?consent_challenge=${encodeURIComponent(consentChallenge)}`);
    expect(consent.body.skip).to.equal(false);
  });

  it('completes prompt=none to a code after a remembered login and consent', async () => {
    const browser = new Browser();
    const alice = someone('alice');
    await signIn(browser, alice, true);
    const { challenge, login } = await loginRequestFor(browser, { prompt: 'none' });
    expect(login.skip).to.equal(true);

    const toConsent = await browser.get(await acceptLogin(t.adminUrl, challenge, { subject: alice }));
    expect(toConsent.status, toConsent.body).to.equal(302);
    expect(toConsent.location ?? '').to.satisfy((l: string) => l.startsWith(`${CONSENT_URL}?`), `to the consent app, not ${toConsent.location}`);
    const consentChallenge = challengeOf(toConsent.location, 'consent_challenge');
    const consent = await request<{ skip: boolean; subject: string; requested_scope: string[] }>(
      t.adminUrl,
      'GET',
      `/admin/oauth2/auth/requests/consent?consent_challenge=${encodeURIComponent(consentChallenge)}`,
    );
    expect(consent.body).to.include({ skip: true, subject: alice });

    const accepted = await request<{ redirect_to: string }>(t.adminUrl, 'PUT', `/admin/oauth2/auth/requests/consent/accept?consent_challenge=${encodeURIComponent(consentChallenge)}`, {
      json: { grant_scope: consent.body.requested_scope },
    });
    expect(accepted.status, accepted.text).to.equal(200);
    const done = await browser.get(accepted.body.redirect_to);
    expect(done.status, done.body).to.equal(302);
    const callback = new URL(done.location ?? '');
    expect(`${callback.origin}${callback.pathname}`).to.equal(REDIRECT);
    expect(callback.searchParams.get('code')).to.match(/^ory_ac_/);
    expect(callback.searchParams.get('state')).to.equal(STATE);
    expect(callback.searchParams.get('iss')).to.equal(t.config.urls.self.issuer);
    expect(callback.searchParams.get('error')).to.equal(null);
    const claims = JSON.parse(Buffer.from((await idTokenOf(callback)).split('.')[1] ?? '', 'base64url').toString()) as { sub?: string };
    expect(claims.sub).to.equal(alice);
  });
});
