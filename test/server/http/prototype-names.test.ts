import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { describeEachBackend } from '../../helpers/databases.js';
import { useTessera, type Running } from '../../helpers/tessera.js';
import { basic, createClient, type CreatedClient } from '../../helpers/clients.js';
import { Browser } from '../../helpers/browser.js';
import { acceptConsent, acceptLogin, challengeOf, FLOW_URLS, LOGIN_URL } from '../../helpers/flow.js';
import { request } from '../../helpers/http.js';
import {
  authorize,
  expectError,
  expectPristinePrototype,
  expectRedirectedError,
  get,
  jwtPayload,
  NAMES,
  postForm,
  prototypeSnapshot,
  type Json,
} from './prototype-names-support.js';

/*
 * Issue 12, class 2: a table indexed by a request value must be a Map or a
 * null-prototype object, or `grant_type=constructor` finds Object and
 * `__proto__` finds Object.prototype. Every Object.prototype member name goes
 * to every parameter of every endpoint, as a value and as a key; the answer
 * is the RFC error for an unknown value (or, where the value is passed on
 * untouched, exactly that value), never a 5xx and never a success built from
 * an inherited member. This file covers the public endpoints and the login
 * and consent steps; the admin API is in prototype-names-admin.test.ts, the
 * login app's pages and forms in prototype-names-app.test.ts.
 */

const REDIRECT = 'https://client.example/cb';
const POST_LOGOUT = 'https://client.example/signed-out';
const STATE = 'state-0123456789';
const VERIFIER = 'v'.repeat(43);
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');
/** Names a JSON body may use as member names: all but `__proto__`, which the body parser refuses (http/body.ts). */
const KEPT = NAMES.filter((n) => n !== '__proto__');
const CLAIMS = Object.fromEntries(KEPT.map((n) => [n, `${n}-value`]));

describeEachBackend('prototype names as request input', (backend) => {
  const harness = useTessera(backend, FLOW_URLS);
  const snapshot = prototypeSnapshot();
  let t: Running;
  let conf: CreatedClient;
  /** A client whose registered scopes are the prototype names: they get past the scope check. */
  let named: CreatedClient;
  const registration = {
    redirect_uris: [REDIRECT],
    post_logout_redirect_uris: [POST_LOGOUT],
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    audience: ['https://api.example'],
  };
  const auth = (c: CreatedClient = conf) => basic(c.client_id, c.client_secret);
  const valid = (overrides: Record<string, string> = {}, client: CreatedClient = conf): Record<string, string> => ({
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid',
    state: STATE,
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    ...overrides,
  });
  const issue = async (): Promise<string> => {
    const res = await postForm(t.publicUrl, '/oauth2/token', { grant_type: 'client_credentials', scope: 'read' }, auth());
    expect(res.status, res.text).to.equal(200);
    return String(res.body['access_token']);
  };

  before(async () => {
    t = harness.t;
    conf = await createClient(t.adminUrl, { ...registration, scope: 'openid offline_access read' });
    named = await createClient(t.adminUrl, { ...registration, scope: `openid offline_access ${NAMES.join(' ')}` });
  });
  after(() => expectPristinePrototype(snapshot));

  describe('token endpoint', () => {
    for (const [lane, path] of [['fast lane', '/oauth2/token'], ['koa', '/oauth2/token/']] as const) {
      it(`grant_type: every name is an unsupported grant, never a method of the grant table (${lane})`, async () => {
        for (const name of NAMES) {
          expectError(await postForm(t.publicUrl, path, { grant_type: name }, auth()), 400, 'unsupported_grant_type', `grant_type=${name}`);
          expectError(await postForm(t.publicUrl, path, { grant_type: name, client_id: conf.client_id }), 400, 'unsupported_grant_type', `grant_type=${name}, no secret`);
        }
      });
    }

    it('client_id, client_secret and client_assertion_type named after prototype members fail client authentication', async () => {
      for (const name of NAMES) {
        const grant = { grant_type: 'client_credentials' };
        expectError(await postForm(t.publicUrl, '/oauth2/token', grant, basic(name, name)), 401, 'invalid_client', `Basic ${name}`);
        expectError(await postForm(t.publicUrl, '/oauth2/token', { ...grant, client_id: name, client_secret: name }), 401, 'invalid_client', `post ${name}`);
        const assertion = { ...grant, client_id: conf.client_id, client_assertion_type: name, client_assertion: name };
        expectError(await postForm(t.publicUrl, '/oauth2/token', assertion), 401, 'invalid_client', `client_assertion_type=${name}`);
      }
    });

    it('scope, audience, code and refresh_token: the grant refuses the value with its own error', async () => {
      for (const name of NAMES) {
        const post = (params: Record<string, string>) => postForm(t.publicUrl, '/oauth2/token', params, auth());
        expectError(await post({ grant_type: 'client_credentials', scope: name }), 400, 'invalid_scope', `scope=${name}`);
        expectError(await post({ grant_type: 'client_credentials', audience: name }), 400, 'invalid_request', `audience=${name}`);
        expectError(await post({ grant_type: 'authorization_code', code: name, redirect_uri: name, code_verifier: name }), 400, 'invalid_grant', `code=${name}`);
        expectError(await post({ grant_type: 'refresh_token', refresh_token: name }), 400, 'invalid_grant', `refresh_token=${name}`);
      }
    });

    it('names as parameter names are ignored (RFC 6749 §3.2) and never echoed', async () => {
      for (const name of NAMES) {
        const res = await postForm(t.publicUrl, '/oauth2/token', { grant_type: 'client_credentials', scope: 'read', [name]: name }, auth());
        expect(res.status, `${name}: ${res.text}`).to.equal(200);
        expect(Object.keys(res.body).sort()).to.deep.equal(['access_token', 'expires_in', 'scope', 'token_type']);
      }
    });
  });

  describe('revocation and introspection', () => {
    it('token_type_hint named after a prototype member is only a hint: the token is still revoked (RFC 7009 §2.1)', async () => {
      for (const name of NAMES) {
        const token = await issue();
        const res = await postForm(t.publicUrl, '/oauth2/revoke', { token, token_type_hint: name }, auth());
        expect(res.status, `${name}: ${res.text}`).to.equal(200);
        const seen = await postForm(t.adminUrl, '/admin/oauth2/introspect', { token });
        expect(seen.body, name).to.deep.equal({ active: false });
      }
    });

    it('a token named after a prototype member is unknown: 200 with an empty body (RFC 7009 §2.2)', async () => {
      for (const name of NAMES) {
        const res = await postForm(t.publicUrl, '/oauth2/revoke', { token: name, token_type_hint: name }, auth());
        expect(res.status, `${name}: ${res.text}`).to.equal(200);
        expect(res.text, name).to.equal('');
        expectError(await postForm(t.publicUrl, '/oauth2/revoke', { token: name }, basic(name, name)), 401, 'invalid_client', `Basic ${name}`);
      }
    });

    for (const [lane, path] of [['fast lane', '/admin/oauth2/introspect'], ['koa', '/admin/oauth2/introspect/']] as const) {
      it(`introspection: token, token_type_hint and scope named after prototype members (${lane})`, async () => {
        const token = await issue();
        for (const name of NAMES) {
          expect((await postForm(t.adminUrl, path, { token: name, token_type_hint: name })).body, name).to.deep.equal({ active: false });
          expect((await postForm(t.adminUrl, path, { token, token_type_hint: name })).body, name).to.include({ active: true });
          expect((await postForm(t.adminUrl, path, { token, scope: name })).body, name).to.deep.equal({ active: false });
        }
      });
    }
  });

  describe('authorization endpoint', () => {
    const redirected: ReadonlyArray<readonly [string, string]> = [
      ['response_type', 'unsupported_response_type'],
      ['response_mode', 'unsupported_response_mode'],
      ['prompt', 'invalid_request'],
      ['code_challenge_method', 'invalid_request'],
      ['scope', 'invalid_scope'],
      ['audience', 'invalid_request'],
      ['max_age', 'invalid_request'],
      ['id_token_hint', 'invalid_request'],
    ];
    for (const [param, error] of redirected) {
      it(`${param}: every name is refused with ${error}, sent back to the client`, async () => {
        for (const name of NAMES) {
          const location = expectRedirectedError(await authorize(t, valid({ [param]: name })), REDIRECT, error, `${param}=${name}`);
          expect(location.searchParams.get('state')).to.equal(STATE);
        }
      });
    }

    it('client_id, redirect_uri, login_verifier and consent_verifier: shown as JSON errors, never redirected', async () => {
      for (const name of NAMES) {
        expectError(await authorize(t, valid({ client_id: name })), 400, 'invalid_client', `client_id=${name}`);
        expectError(await authorize(t, valid({ redirect_uri: name })), 400, 'invalid_request', `redirect_uri=${name}`);
        expectError(await authorize(t, { client_id: conf.client_id, login_verifier: name }), 400, 'invalid_request', `login_verifier=${name}`);
        expectError(await authorize(t, { client_id: conf.client_id, consent_verifier: name }), 400, 'invalid_request', `consent_verifier=${name}`);
      }
    });

    it('display, login_hint, ui_locales, acr_values and scope reach the login app exactly as sent', async () => {
      for (const name of NAMES) {
        const pass = { display: name, login_hint: name, ui_locales: name, acr_values: name, scope: `openid ${name}` };
        const res = await authorize(t, valid(pass, named));
        expect(res.status, `${name}: ${res.text}`).to.equal(302);
        const location = new URL(res.headers.get('location') ?? '');
        expect(`${location.origin}${location.pathname}`).to.equal(LOGIN_URL);
        const challenge = location.searchParams.get('login_challenge') ?? '';
        const login = await get(t.adminUrl, '/admin/oauth2/auth/requests/login', { login_challenge: challenge });
        expect(login.status, login.text).to.equal(200);
        expect(login.body['oidc_context'], name).to.deep.equal({ acr_values: [name], ui_locales: [name], display: name, login_hint: name });
        expect(login.body['requested_scope'], name).to.deep.equal(['openid', name]);
      }
    });

    it('state and nonce: kept as sent when long enough, refused (invalid_request) when shorter than 8 characters', async () => {
      for (const name of NAMES) {
        for (const param of ['state', 'nonce']) {
          const res = await authorize(t, valid({ [param]: name }));
          if (name.length >= 8) expect(res.status, `${param}=${name}: ${res.text}`).to.equal(302);
          if (name.length >= 8) expect(res.headers.get('location') ?? '', `${param}=${name}`).to.match(new RegExp(`^${LOGIN_URL}\\?`));
          else expectRedirectedError(res, REDIRECT, 'invalid_request', `${param}=${name}`);
        }
      }
    });

    it('names as parameter names are ignored: the request goes to the login app', async () => {
      for (const name of NAMES) {
        const res = await authorize(t, valid({ [name]: name }));
        expect(res.status, `${name}: ${res.text}`).to.equal(302);
        expect(res.headers.get('location') ?? '', name).to.match(new RegExp(`^${LOGIN_URL}\\?`));
      }
    });
  });

  describe('login and consent', () => {
    /** authorize → login challenge, in a new browser. */
    const begin = async (client: CreatedClient = conf, scope = 'openid') => {
      const browser = new Browser();
      const params = new URLSearchParams(valid({ scope }, client));
      const start = await browser.get(`${t.publicUrl}/oauth2/auth?${params.toString()}`);
      return { browser, challenge: challengeOf(start.location, 'login_challenge') };
    };

    it('subject, acr, amr and context named after prototype members are kept as they are; a __proto__ member is refused', async () => {
      for (const name of NAMES) {
        const { browser, challenge } = await begin();
        const context = name === '__proto__' ? {} : { [name]: name };
        const back = await browser.get(await acceptLogin(t.adminUrl, challenge, { subject: name, acr: name, amr: [name], context }));
        const consent = await get(t.adminUrl, '/admin/oauth2/auth/requests/consent', { consent_challenge: challengeOf(back.location, 'consent_challenge') });
        expect(consent.status, consent.text).to.equal(200);
        expect(consent.body, name).to.include({ subject: name, acr: name });
        expect(consent.body['amr'], name).to.deep.equal([name]);
        expect(Object.keys(consent.body['context'] as object), name).to.deep.equal(Object.keys(context));
      }
      const { challenge } = await begin();
      const poisoned = await request<Json>(t.adminUrl, 'PUT', `/admin/oauth2/auth/requests/login/accept?login_challenge=${challenge}`, {
        body: '{"subject":"s","context":{"__proto__":{"polluted":true}}}',
        headers: { 'content-type': 'application/json' },
      });
      expectError(poisoned, 400, 'invalid_request', '__proto__ member');
    });

    it('consent session claims named after prototype members reach the ID token, userinfo and introspection (all but __proto__)', async () => {
      const { browser, challenge } = await begin(conf, 'openid offline_access');
      const back = await browser.get(await acceptLogin(t.adminUrl, challenge));
      const consentChallenge = challengeOf(back.location, 'consent_challenge');
      const done = await browser.get(await acceptConsent(t.adminUrl, consentChallenge, { session: { id_token: CLAIMS, access_token: CLAIMS } }));
      const code = new URL(done.location ?? '').searchParams.get('code') ?? '';
      const tokens = await postForm(t.publicUrl, '/oauth2/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: VERIFIER }, auth());
      expect(tokens.status, tokens.text).to.equal(200);
      const idToken = jwtPayload(String(tokens.body['id_token']));
      const info = await request<Json>(t.publicUrl, 'GET', '/userinfo', { headers: { authorization: `Bearer ${String(tokens.body['access_token'])}` } });
      const ext = (await postForm(t.adminUrl, '/admin/oauth2/introspect', { token: String(tokens.body['access_token']) })).body['ext'] as Json;
      for (const claims of [idToken, info.body, ext]) {
        for (const name of KEPT) expect(Object.hasOwn(claims, name) && claims[name], name).to.equal(`${name}-value`);
        expect(Object.hasOwn(claims, '__proto__')).to.equal(false);
      }
    });

    it("an error code the login app chose, named after a prototype member, goes to the client as it is", async () => {
      for (const name of NAMES) {
        const { browser, challenge } = await begin();
        const res = await request<{ redirect_to: string }>(t.adminUrl, 'PUT', `/admin/oauth2/auth/requests/login/reject?login_challenge=${challenge}`, { json: { error: name } });
        expect(res.status, res.text).to.equal(200);
        const back = await browser.get(res.body.redirect_to);
        expect(new URL(back.location ?? '').searchParams.get('error'), name).to.equal(name);
      }
    });
  });

  describe('logout', () => {
    it('client_id, id_token_hint, post_logout_redirect_uri and logout_verifier named after prototype members are refused', async () => {
      for (const name of NAMES) {
        const logout = (params: Record<string, string>) => get(t.publicUrl, '/oauth2/sessions/logout', params);
        expectError(await logout({ client_id: name }), 400, 'invalid_request', `client_id=${name}`);
        expectError(await logout({ id_token_hint: name }), 400, 'invalid_request', `id_token_hint=${name}`);
        expectError(await logout({ client_id: conf.client_id, post_logout_redirect_uri: name }), 400, 'invalid_request', `post_logout_redirect_uri=${name}`);
        expectError(await logout({ logout_verifier: name }), 400, 'invalid_request', `logout_verifier=${name}`);
      }
    });

    it('state named after a prototype member goes back to the post-logout URI as it is', async () => {
      for (const name of NAMES) {
        const res = await get(t.publicUrl, '/oauth2/sessions/logout', { client_id: conf.client_id, post_logout_redirect_uri: POST_LOGOUT, state: name });
        expect(res.status, `${name}: ${res.text}`).to.be.below(500);
        const location = res.headers.get('location');
        if (location?.startsWith(POST_LOGOUT)) expect(new URL(location).searchParams.get('state'), name).to.equal(name);
      }
    });
  });
});
