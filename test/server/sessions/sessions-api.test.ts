import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { describeEachBackend, type Database } from '../../helpers/databases.js';
import { startTessera, type Running } from '../../helpers/tessera.js';
import { request } from '../../helpers/http.js';
import { basic, createClient, form, type CreatedClient } from '../../helpers/clients.js';
import { Browser } from '../../helpers/browser.js';
import { FLOW_URLS, challengeOf, runFlow } from '../../helpers/flow.js';

const REDIRECT = 'http://127.0.0.1:9999/cb';

describeEachBackend('consent and login sessions admin API', (backend) => {
  let db: Database;
  let t: Running;
  let app: CreatedClient;

  const authorizeUrl = (verifier: string, extra: Record<string, string> = {}) => {
    const params = new URLSearchParams({
      client_id: app.client_id,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid offline_access',
      state: randomBytes(8).toString('hex'),
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ...extra,
    });
    return `${t.publicUrl}/oauth2/auth?${params.toString()}`;
  };

  /**
   * A whole flow for `subject` in `browser`; returns the tokens. A remembered
   * consent makes the next flow skip consent, which records no new consent.
   */
  async function signIn(browser: Browser, subject: string, rememberConsent = true) {
    const verifier = randomBytes(32).toString('base64url');
    const callback = await runFlow(browser, t.adminUrl, authorizeUrl(verifier), {
      login: { subject, remember: true },
      consent: { remember: rememberConsent, session: { id_token: { email: `${subject}@example.com` } } },
    });
    const f = form({ grant_type: 'authorization_code', code: callback.searchParams.get('code') ?? '', redirect_uri: REDIRECT, code_verifier: verifier });
    const res = await request<{ access_token: string; refresh_token: string }>(t.publicUrl, 'POST', '/oauth2/token', {
      body: f.body,
      headers: { ...f.headers, authorization: basic(app.client_id, app.client_secret) },
    });
    expect(res.status, res.text).to.equal(200);
    return res.body;
  }

  const active = async (token: string) =>
    (await request<{ active: boolean }>(t.adminUrl, 'POST', '/admin/oauth2/introspect', form({ token }))).body.active;

  before(async () => {
    db = await backend.create();
    t = await startTessera(db, FLOW_URLS);
    app = await createClient(t.adminUrl, { redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'], scope: 'openid offline_access' });
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  it("lists a subject's consent sessions in Hydra's shape", async () => {
    await signIn(new Browser(), 'lister');
    const res = await request<Array<Record<string, unknown>>>(t.adminUrl, 'GET', '/admin/oauth2/auth/sessions/consent?subject=lister');
    expect(res.status).to.equal(200);
    expect(res.headers.get('x-total-count')).to.equal('1');
    expect(res.body).to.have.length(1);
    const [session] = res.body;
    expect(session).to.include({ remember: true, remember_for: 0 });
    expect(session?.['grant_scope']).to.deep.equal(['openid', 'offline_access']);
    expect(session?.['session']).to.deep.equal({ access_token: {}, id_token: { email: 'lister@example.com' } });
    expect(session?.['consent_request']).to.nested.include({ subject: 'lister', 'client.client_id': app.client_id });
    expect(session?.['consent_request']).not.to.have.nested.property('client.client_secret');
    expect((await request<unknown[]>(t.adminUrl, 'GET', '/admin/oauth2/auth/sessions/consent?subject=nobody')).body).to.deep.equal([]);
  });

  it('pages through consent sessions with page_size and the Link header', async () => {
    for (let i = 0; i < 3; i++) await signIn(new Browser(), 'pager', false);
    const ids = new Set<string>();
    let next: string | undefined = '/admin/oauth2/auth/sessions/consent?subject=pager&page_size=2';
    while (next) {
      const page: Awaited<ReturnType<typeof request<Array<{ consent_request_id: string }>>>> = await request(t.adminUrl, 'GET', next);
      page.body.forEach((s) => ids.add(s.consent_request_id));
      next = /<([^>]+)>; rel="next"/.exec(page.headers.get('link') ?? '')?.[1];
    }
    expect(ids.size).to.equal(3);
  });

  it('revoking a consent revokes its tokens and the next flow asks for consent again', async () => {
    const browser = new Browser();
    const tokens = await signIn(browser, 'revokee');
    expect(await active(tokens.access_token)).to.equal(true);
    const res = await request(t.adminUrl, 'DELETE', `/admin/oauth2/auth/sessions/consent?subject=revokee&client=${encodeURIComponent(app.client_id)}`);
    expect(res.status).to.equal(204);
    expect(await active(tokens.access_token)).to.equal(false);
    expect(await active(tokens.refresh_token)).to.equal(false);

    // Still logged in (login skipped), but consent is asked again.
    const start = await browser.get(authorizeUrl(randomBytes(32).toString('base64url')));
    const loginChallenge = challengeOf(start.location, 'login_challenge');
    const login = await request<{ skip: boolean }>(t.adminUrl, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${loginChallenge}`);
    expect(login.body.skip).to.equal(true);
    const accepted = await request<{ redirect_to: string }>(t.adminUrl, 'PUT', `/admin/oauth2/auth/requests/login/accept?login_challenge=${loginChallenge}`, { json: { subject: 'revokee' } });
    const toConsent = await browser.get(accepted.body.redirect_to);
    const consent = await request<{ skip: boolean }>(t.adminUrl, 'GET', `/admin/oauth2/auth/requests/consent?consent_challenge=${challengeOf(toConsent.location, 'consent_challenge')}`);
    expect(consent.body.skip).to.equal(false);
  });

  it('revokes all of a subject\'s consents, or one by consent_request_id', async () => {
    const one = await signIn(new Browser(), 'many', false);
    const two = await signIn(new Browser(), 'many', false);
    const list = await request<Array<{ consent_request_id: string }>>(t.adminUrl, 'GET', '/admin/oauth2/auth/sessions/consent?subject=many');
    const first = list.body[list.body.length - 1]?.consent_request_id ?? '';
    expect((await request(t.adminUrl, 'DELETE', `/admin/oauth2/auth/sessions/consent?consent_request_id=${first}`)).status).to.equal(204);
    expect([await active(one.access_token), await active(two.access_token)].filter(Boolean)).to.have.length(1);
    expect((await request(t.adminUrl, 'DELETE', '/admin/oauth2/auth/sessions/consent?subject=many&all=true')).status).to.equal(204);
    expect(await active(two.access_token)).to.equal(false);
    expect((await request<unknown[]>(t.adminUrl, 'GET', '/admin/oauth2/auth/sessions/consent?subject=many')).body).to.deep.equal([]);
  });

  it('ending login sessions by subject or sid makes the next flow show the login page', async () => {
    const browser = new Browser();
    await signIn(browser, 'leaver');
    const skipOf = async (b: Browser) => {
      const start = await b.get(authorizeUrl(randomBytes(32).toString('base64url')));
      const res = await request<{ skip: boolean; session_id: string }>(t.adminUrl, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${challengeOf(start.location, 'login_challenge')}`);
      return res.body;
    };
    const before = await skipOf(browser);
    expect(before.skip).to.equal(true);
    expect((await request(t.adminUrl, 'DELETE', `/admin/oauth2/auth/sessions/login?sid=${before.session_id}`)).status).to.equal(204);
    expect((await skipOf(browser)).skip).to.equal(false);

    const other = new Browser();
    await signIn(other, 'leaver2');
    expect((await request(t.adminUrl, 'DELETE', '/admin/oauth2/auth/sessions/login?subject=leaver2')).status).to.equal(204);
    expect((await skipOf(other)).skip).to.equal(false);
  });

  it('a fresh login in a browser ends the session its old cookie named', async () => {
    const browser = new Browser();
    await signIn(browser, 'first-user');
    const oldCookie = browser.cookies.get('tessera_session') ?? '';
    const verifier = randomBytes(32).toString('base64url');
    await runFlow(browser, t.adminUrl, authorizeUrl(verifier, { prompt: 'login' }), { login: { subject: 'second-user', remember: false } });
    expect(browser.cookies.has('tessera_session')).to.equal(false);
    // Someone who kept the old cookie value gets no skipped login as first-user.
    const thief = new Browser();
    thief.cookies.set('tessera_session', oldCookie);
    const start = await thief.get(authorizeUrl(randomBytes(32).toString('base64url')));
    const res = await request<{ skip: boolean }>(t.adminUrl, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${challengeOf(start.location, 'login_challenge')}`);
    expect(res.body.skip).to.equal(false);
  });

  it('refuses ambiguous or malformed session requests with 400', async () => {
    for (const [method, path] of [
      ['GET', '/admin/oauth2/auth/sessions/consent'],
      ['GET', '/admin/oauth2/auth/sessions/consent?subject=a&page_size=0'],
      ['GET', '/admin/oauth2/auth/sessions/consent?subject=a&page_token=%%%'],
      ['DELETE', '/admin/oauth2/auth/sessions/consent'],
      ['DELETE', '/admin/oauth2/auth/sessions/consent?subject=a'],
      ['DELETE', '/admin/oauth2/auth/sessions/consent?subject=a&all=maybe'],
      ['DELETE', '/admin/oauth2/auth/sessions/login'],
    ] as const) {
      const res = await request<{ error: string }>(t.adminUrl, method, path);
      expect(res.status, `${method} ${path}`).to.equal(400);
      expect(res.body.error).to.equal('invalid_request');
    }
  });
});
