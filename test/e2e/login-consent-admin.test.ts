import { expect } from 'chai';
import { describeEachBackend, type Database } from '../helpers/databases.js';
import { startTessera, type Running } from '../helpers/tessera.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { Browser } from '../helpers/browser.js';
import { FLOW_URLS } from '../helpers/flow.js';
import { request } from '../helpers/http.js';
import {
  REDIRECT,
  adminApi,
  authorization,
  claims,
  errorAtClient,
  exchange,
  redirectTo,
  toCode,
  toConsent,
  toLogin,
  type ErrorBody,
} from './login-consent-support.js';

/*
 * The login/consent admin API as a Hydra v2 login app sees it: what it reads,
 * what its accept and reject answers do to the browser, and which bodies it
 * is refused for (always a 4xx with Hydra's error shape, never a 500).
 */

const API = 'https://api.example.com';

describeEachBackend('login and consent admin API', (backend) => {
  let db: Database;
  let t: Running;
  let client: CreatedClient;
  let api: ReturnType<typeof adminApi>;

  before(async () => {
    db = await backend.create();
    t = await startTessera(db, FLOW_URLS);
    api = adminApi(t);
    client = await createClient(t.adminUrl, {
      client_name: 'login-consent',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid offline_access profile email',
      audience: [API],
    });
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  /** A browser at the login app with a fresh challenge. */
  async function atLogin(params: Record<string, string> = {}) {
    const browser = new Browser();
    const authz = authorization(t, client.client_id, params);
    return { browser, authz, challenge: await toLogin(browser, authz.url) };
  }

  /** A browser at the consent app, logged in as `login.subject`. */
  async function atConsent(login: Record<string, unknown> = {}, params: Record<string, string> = {}) {
    const { browser, authz, challenge } = await atLogin(params);
    const loginRequest = await api.getLogin(challenge);
    const consentChallenge = await toConsent(browser, redirectTo(await api.acceptLogin(challenge, { subject: 'alice', ...login })));
    return { browser, authz, loginRequest: loginRequest.body, challenge: consentChallenge };
  }

  const expectError = (res: { status: number; text: string; body: unknown }, status: number, error: string) => {
    expect(res.status, res.text).to.equal(status);
    const body = res.body as Partial<ErrorBody>;
    expect(body.error, res.text).to.equal(error);
    expect(body.error_description, res.text).to.be.a('string');
  };

  describe('login request', () => {
    it('GET answers the request as Hydra v2 shapes it', async () => {
      const { challenge } = await atLogin({
        scope: 'openid email',
        audience: API,
        login_hint: 'alice@example.com',
        acr_values: 'urn:acr:mfa urn:acr:pwd',
        ui_locales: 'de en',
        display: 'page',
      });
      const res = await api.getLogin(challenge);
      expect(res.status, res.text).to.equal(200);
      expect(res.headers.get('cache-control')).to.equal('private, no-cache, no-store, must-revalidate');
      const body = res.body;
      expect(body).to.include({ challenge, skip: false, subject: '' });
      expect(body.requested_scope).to.deep.equal(['openid', 'email']);
      expect(body.requested_access_token_audience).to.deep.equal([API]);
      expect(body.client.client_id).to.equal(client.client_id);
      expect(body.client).to.include({ client_name: 'login-consent' });
      expect(body.client).not.to.have.property('client_secret');
      expect(body.oidc_context).to.deep.include({ login_hint: 'alice@example.com', display: 'page' });
      expect(body.oidc_context.acr_values).to.deep.equal(['urn:acr:mfa', 'urn:acr:pwd']);
      expect(body.oidc_context.ui_locales).to.deep.equal(['de', 'en']);
      expect(body.session_id).to.be.a('string').and.not.equal('');
      const url = new URL(body.request_url);
      expect(`${url.origin}${url.pathname}`).to.equal(`${t.publicUrl}/oauth2/auth`);
      expect(url.searchParams.get('client_id')).to.equal(client.client_id);
      expect(url.searchParams.get('login_hint')).to.equal('alice@example.com');
    });

    it('GET takes Hydra\'s ?challenge= alias too', async () => {
      const { challenge } = await atLogin();
      const res = await request<{ challenge: string }>(t.adminUrl, 'GET', `/admin/oauth2/auth/requests/login?challenge=${encodeURIComponent(challenge)}`);
      expect(res.status, res.text).to.equal(200);
      expect(res.body.challenge).to.equal(challenge);
    });

    it('accept answers 200 {redirect_to}: the request URL plus login_verifier', async () => {
      const { challenge } = await atLogin({ scope: 'openid email' });
      const requestUrl = new URL((await api.getLogin(challenge)).body.request_url);
      const res = await api.acceptLogin(challenge, { subject: 'alice' });
      expect(Object.keys(res.body)).to.deep.equal(['redirect_to']);
      const to = new URL(redirectTo(res));
      expect(to.searchParams.get('login_verifier')).to.be.a('string').with.length.greaterThan(20);
      to.searchParams.delete('login_verifier');
      expect(`${to.origin}${to.pathname}`).to.equal(`${requestUrl.origin}${requestUrl.pathname}`);
      expect([...to.searchParams].sort()).to.deep.equal([...requestUrl.searchParams].sort());
    });

    it('reject sends the browser to the client with the chosen error, state and iss', async () => {
      const { browser, authz, challenge } = await atLogin();
      const res = await api.rejectLogin(challenge, { error: 'access_denied', error_description: 'The user pressed cancel.' });
      const to = redirectTo(res);
      expect(new URL(to).searchParams.get('login_verifier')).to.be.a('string');
      const back = errorAtClient(await browser.get(to), t, authz.state);
      expect(back.searchParams.get('error')).to.equal('access_denied');
      expect(back.searchParams.get('error_description')).to.contain('The user pressed cancel.');
    });

    it('reject with an empty body means access_denied', async () => {
      for (const body of [undefined, {}]) {
        const { browser, authz, challenge } = await atLogin();
        const back = errorAtClient(await browser.get(redirectTo(await api.rejectLogin(challenge, body))), t, authz.state);
        expect(back.searchParams.get('error'), JSON.stringify(body)).to.equal('access_denied');
        expect(back.searchParams.get('error_description')).to.be.a('string').and.not.equal('');
      }
    });

    it('accept refuses a missing, empty or mistyped subject and other mistyped fields with 400 invalid_request', async () => {
      const { browser, challenge } = await atLogin();
      for (const body of [{}, { subject: '' }, { subject: 42 }, { subject: 'a', remember: 'yes' }, { subject: 'a', amr: 'pwd' }, { subject: 'a', remember_for: -1 }, null, []]) {
        expectError(await api.acceptLogin(challenge, body), 400, 'invalid_request');
      }
      // None of that touched the request: it still completes.
      await toConsent(browser, redirectTo(await api.acceptLogin(challenge, { subject: 'alice' })));
    });

    it('answers malformed JSON and a missing body with 400, never 500', async () => {
      const { challenge } = await atLogin();
      const path = `/admin/oauth2/auth/requests/login/accept?login_challenge=${encodeURIComponent(challenge)}`;
      expectError(await request(t.adminUrl, 'PUT', path, { body: '{"subject": "alice"', headers: { 'content-type': 'application/json' } }), 400, 'invalid_request');
      expectError(await request(t.adminUrl, 'PUT', path), 400, 'invalid_request');
      const reject = `/admin/oauth2/auth/requests/login/reject?login_challenge=${encodeURIComponent(challenge)}`;
      expectError(await request(t.adminUrl, 'PUT', reject, { body: '{error', headers: { 'content-type': 'application/json' } }), 400, 'invalid_request');
      expectError(await api.rejectLogin(challenge, { error: 7 }), 400, 'invalid_request');
    });

    it('an unknown challenge is 404 not_found, a missing one 400', async () => {
      const unknown = 'x'.repeat(43);
      expectError(await api.getLogin(unknown), 404, 'not_found');
      expectError(await api.acceptLogin(unknown, { subject: 'alice' }), 404, 'not_found');
      expectError(await api.rejectLogin(unknown, {}), 404, 'not_found');
      for (const method of ['GET', 'PUT'] as const) {
        const path = method === 'GET' ? '/admin/oauth2/auth/requests/login' : '/admin/oauth2/auth/requests/login/accept';
        expectError(await request(t.adminUrl, method, path, method === 'PUT' ? { json: { subject: 'alice' } } : {}), 400, 'invalid_request');
        expectError(await request(t.adminUrl, method, `${path}?login_challenge=`, method === 'PUT' ? { json: { subject: 'alice' } } : {}), 400, 'invalid_request');
      }
    });

    it('a login challenge is not a consent challenge, and the other way round', async () => {
      const { challenge: consentChallenge, loginRequest } = await atConsent();
      expectError(await api.getConsent(loginRequest.challenge), 404, 'not_found');
      expectError(await api.getLogin(consentChallenge), 404, 'not_found');
      expectError(await api.acceptLogin(consentChallenge, { subject: 'alice' }), 404, 'not_found');
    });
  });

  describe('consent request', () => {
    it('GET answers the request with the login\'s subject, session, acr, amr and context', async () => {
      const context = { tenant: 't-1', roles: ['admin'], nested: { n: 1 } };
      const { challenge, loginRequest } = await atConsent(
        { subject: 'alice', acr: 'urn:acr:mfa', amr: ['pwd', 'otp'], context },
        { scope: 'openid email', audience: API, login_hint: 'alice@example.com' },
      );
      const res = await api.getConsent(challenge);
      expect(res.status, res.text).to.equal(200);
      const body = res.body;
      expect(body).to.include({ challenge, skip: false, subject: 'alice', acr: 'urn:acr:mfa' });
      expect(body.consent_request_id).to.be.a('string').and.not.equal('');
      expect(body.client.client_id).to.equal(client.client_id);
      expect(body.client).not.to.have.property('client_secret');
      expect(body.requested_scope).to.deep.equal(['openid', 'email']);
      expect(body.requested_access_token_audience).to.deep.equal([API]);
      expect(body.amr).to.deep.equal(['pwd', 'otp']);
      expect(body.context).to.deep.equal(context);
      expect(body.login_session_id).to.equal(loginRequest.session_id);
      expect(body.oidc_context).to.deep.include({ login_hint: 'alice@example.com' });
      expect(body.request_url).to.equal(loginRequest.request_url);
    });

    it('reject sends the browser to the client with the chosen error', async () => {
      const { browser, authz, challenge } = await atConsent();
      const to = redirectTo(await api.rejectConsent(challenge, { error: 'access_denied', error_description: 'Not today.' }));
      expect(new URL(to).searchParams.get('consent_verifier')).to.be.a('string');
      const back = errorAtClient(await browser.get(to), t, authz.state);
      expect(back.searchParams.get('error')).to.equal('access_denied');
      expect(back.searchParams.get('error_description')).to.contain('Not today.');
    });

    it('reject with an empty body means access_denied', async () => {
      const { browser, authz, challenge } = await atConsent();
      const back = errorAtClient(await browser.get(redirectTo(await api.rejectConsent(challenge))), t, authz.state);
      expect(back.searchParams.get('error')).to.equal('access_denied');
    });

    it('accept refuses mistyped fields with 400 invalid_request, then still works', async () => {
      const { browser, challenge } = await atConsent();
      for (const body of [{ grant_scope: 'openid' }, { grant_scope: [1] }, { grant_access_token_audience: API }, { remember: 'yes' }, { session: 'x' }, { session: { id_token: [] } }, null]) {
        expectError(await api.acceptConsent(challenge, body), 400, 'invalid_request');
      }
      const path = `/admin/oauth2/auth/requests/consent/accept?consent_challenge=${encodeURIComponent(challenge)}`;
      expectError(await request(t.adminUrl, 'PUT', path, { body: '{"grant_scope": [', headers: { 'content-type': 'application/json' } }), 400, 'invalid_request');
      await toCode(browser, redirectTo(await api.acceptConsent(challenge, { grant_scope: ['openid'] })));
    });

    it('an unknown challenge is 404 not_found, a missing one 400', async () => {
      const unknown = 'y'.repeat(43);
      expectError(await api.getConsent(unknown), 404, 'not_found');
      expectError(await api.acceptConsent(unknown, { grant_scope: ['openid'] }), 404, 'not_found');
      expectError(await api.rejectConsent(unknown, {}), 404, 'not_found');
      expectError(await request(t.adminUrl, 'GET', '/admin/oauth2/auth/requests/consent'), 400, 'invalid_request');
      expectError(await request(t.adminUrl, 'PUT', '/admin/oauth2/auth/requests/consent/accept', { json: {} }), 400, 'invalid_request');
    });
  });

  describe('consent grants', () => {
    it('refuses a grant_scope the client is not registered for', async () => {
      const { browser, challenge } = await atConsent();
      expectError(await api.acceptConsent(challenge, { grant_scope: ['openid', 'admin'] }), 400, 'invalid_request');
      await toCode(browser, redirectTo(await api.acceptConsent(challenge, { grant_scope: ['openid'] })));
    });

    it('refuses a grant_access_token_audience outside the client\'s audience', async () => {
      const { challenge } = await atConsent();
      expectError(await api.acceptConsent(challenge, { grant_scope: ['openid'], grant_access_token_audience: ['https://evil.example.com'] }), 400, 'invalid_request');
      expectError(await api.acceptConsent(challenge, { grant_scope: ['openid'], grant_access_token_audience: [`${API}/sub`] }), 400, 'invalid_request');
    });

    it('granting fewer scopes than requested gives tokens for the granted ones only', async () => {
      const { browser, authz, challenge } = await atConsent({}, { scope: 'openid offline_access email', audience: API });
      const to = redirectTo(await api.acceptConsent(challenge, { grant_scope: ['openid'], grant_access_token_audience: [] }));
      const res = await browser.get(to);
      expect(new URL(res.location ?? '').searchParams.get('scope')).to.equal('openid');
      const code = new URL(res.location ?? '').searchParams.get('code') ?? '';
      const tokens = await exchange(t, client, code, authz.verifier);
      expect(tokens.status, tokens.text).to.equal(200);
      expect(tokens.body.scope).to.equal('openid');
      expect(tokens.body).not.to.have.property('refresh_token');
      const idToken = claims(tokens.body.id_token);
      expect(idToken['sub']).to.equal('alice');
      expect(idToken['aud']).to.deep.equal([client.client_id]);
      const introspected = await request<{ active: boolean; scope: string; aud?: string[] }>(t.adminUrl, 'POST', '/admin/oauth2/introspect', {
        body: `token=${encodeURIComponent(tokens.body.access_token)}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(introspected.body).to.include({ active: true, scope: 'openid' });
      expect(introspected.body.aud ?? []).to.deep.equal([]);
    });

    it('a granted audience reaches the access token', async () => {
      const { browser, authz, challenge } = await atConsent({}, { scope: 'openid', audience: API });
      const code = await toCode(browser, redirectTo(await api.acceptConsent(challenge, { grant_scope: ['openid'], grant_access_token_audience: [API] })));
      const tokens = await exchange(t, client, code, authz.verifier);
      expect(tokens.status, tokens.text).to.equal(200);
      const introspected = await request<{ aud?: string[] }>(t.adminUrl, 'POST', '/admin/oauth2/introspect', {
        body: `token=${encodeURIComponent(tokens.body.access_token)}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(introspected.body.aud).to.deep.equal([API]);
    });
  });
});
