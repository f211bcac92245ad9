import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { Configuration, OAuth2Api } from '@ory/hydra-client';
import { describeEachBackend, type Database } from '../helpers/databases.js';
import { startTessera, type Running } from '../helpers/tessera.js';
import { basic, form, type CreatedClient } from '../helpers/clients.js';
import { Browser } from '../helpers/browser.js';
import { CONSENT_URL, FLOW_URLS, LOGIN_URL } from '../helpers/flow.js';
import { request } from '../helpers/http.js';
import { connect } from '../../server/src/storage/knex/index.js';

/*
 * A Hydra v2 login and consent app, written the way Ory's examples write one
 * (@ory/hydra-client, unchanged), drives the flow against Tessera: read the
 * request, honour `skip`, accept or reject, send the browser to redirect_to.
 * The client then exchanges the code and a resource server introspects the
 * token through the same SDK. If this passes, such an app works unchanged.
 */

const REDIRECT = 'http://127.0.0.1:9999/callback';
const API = 'https://api.example.com';

interface Failure {
  readonly status: number;
  readonly data: { error?: unknown; error_description?: unknown; redirect_to?: unknown };
}

/** The HTTP answer carried by the axios error of a rejected SDK call. */
async function failure(call: Promise<unknown>): Promise<Failure> {
  try {
    await call;
  } catch (err) {
    const e = err as { isAxiosError?: boolean; response?: { status: number; data: Failure['data'] } };
    expect(e.isAxiosError, String(err)).to.equal(true);
    expect(e.response, 'an HTTP answer').to.not.equal(undefined);
    return { status: e.response?.status ?? 0, data: e.response?.data ?? {} };
  }
  return expect.fail('the call should have been rejected');
}

interface TokenResponse {
  readonly access_token: string;
  readonly refresh_token?: string;
  readonly id_token?: string;
  readonly scope: string;
  readonly token_type: string;
}

/** One browser hop that must be a 302 to `base` carrying `name`. */
async function hop(browser: Browser, url: string, base: string, name: string): Promise<string> {
  const res = await browser.get(url);
  expect(res.status, `${url} → ${res.status} ${res.location ?? res.body}`).to.equal(302);
  const location = new URL(res.location ?? '');
  expect(`${location.origin}${location.pathname}`, res.location).to.equal(base);
  const value = location.searchParams.get(name);
  expect(value, `${name} in ${res.location}`).to.be.a('string').and.not.equal('');
  return value ?? '';
}

describeEachBackend('a Hydra login/consent app on @ory/hydra-client drives the flow', (backend) => {
  let db: Database;
  let t: Running;
  let hydra: OAuth2Api;
  let client: CreatedClient;

  before(async () => {
    db = await backend.create();
    t = await startTessera(db, FLOW_URLS);
    hydra = new OAuth2Api(new Configuration({ basePath: t.adminUrl }));
    const created = await hydra.createOAuth2Client({
      oAuth2Client: {
        client_name: 'hydra-client flow',
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        scope: 'openid offline_access email',
        audience: [API],
      },
    });
    client = { ...created.data, client_id: created.data.client_id ?? '', client_secret: created.data.client_secret ?? '' };
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  /** The client's side: an authorization request with PKCE. */
  function authorize(params: Record<string, string> = {}) {
    const verifier = randomBytes(32).toString('base64url');
    const state = `state-${randomBytes(6).toString('hex')}`;
    const query = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid offline_access email',
      audience: API,
      state,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ...params,
    });
    return { url: `${t.publicUrl}/oauth2/auth?${query.toString()}`, state, verifier };
  }

  async function exchange(code: string, verifier: string): Promise<TokenResponse> {
    const f = form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier });
    const res = await request<TokenResponse>(t.publicUrl, 'POST', '/oauth2/token', {
      body: f.body,
      headers: { ...f.headers, authorization: basic(client.client_id, client.client_secret) },
    });
    expect(res.status, res.text).to.equal(200);
    return res.body;
  }

  /** What Ory's example login route does: skip → accept as the remembered subject; else authenticate `subject`. */
  async function loginApp(loginChallenge: string, subject: string, remember = false): Promise<string> {
    const { data: login } = await hydra.getOAuth2LoginRequest({ loginChallenge });
    const accepted = await hydra.acceptOAuth2LoginRequest({
      loginChallenge,
      acceptOAuth2LoginRequest: login.skip
        ? { subject: login.subject }
        : { subject, remember, remember_for: 3600, acr: 'urn:acr:pwd', amr: ['pwd'], context: { via: 'hydra-client' } },
    });
    return accepted.data.redirect_to;
  }

  /** What Ory's example consent route does: grant what was requested, with session claims. */
  async function consentApp(consentChallenge: string, remember = false): Promise<string> {
    const { data: consent } = await hydra.getOAuth2ConsentRequest({ consentChallenge });
    const accepted = await hydra.acceptOAuth2ConsentRequest({
      consentChallenge,
      acceptOAuth2ConsentRequest: {
        grant_scope: consent.requested_scope ?? [],
        grant_access_token_audience: consent.requested_access_token_audience ?? [],
        remember,
        remember_for: 3600,
        session: { access_token: { tier: 'gold' }, id_token: { email: `${consent.subject ?? ''}@example.com` } },
      },
    });
    return accepted.data.redirect_to;
  }

  it('reads, accepts, exchanges and introspects', async () => {
    const browser = new Browser();
    const authz = authorize({ login_hint: 'alice@example.com' });
    const loginChallenge = await hop(browser, authz.url, LOGIN_URL, 'login_challenge');

    const { data: login, status } = await hydra.getOAuth2LoginRequest({ loginChallenge });
    expect(status).to.equal(200);
    expect(login.challenge).to.equal(loginChallenge);
    expect(login.skip).to.equal(false);
    expect(login.subject).to.equal('');
    expect(login.client.client_id).to.equal(client.client_id);
    expect(login.client.client_secret).to.equal(undefined);
    expect(login.requested_scope).to.deep.equal(['openid', 'offline_access', 'email']);
    expect(login.requested_access_token_audience).to.deep.equal([API]);
    expect(login.oidc_context?.login_hint).to.equal('alice@example.com');
    expect(login.request_url).to.contain(`client_id=${client.client_id}`);

    const consentChallenge = await hop(browser, await loginApp(loginChallenge, 'alice'), CONSENT_URL, 'consent_challenge');
    const { data: consent } = await hydra.getOAuth2ConsentRequest({ consentChallenge });
    expect(consent.challenge).to.equal(consentChallenge);
    expect(consent.subject).to.equal('alice');
    expect(consent.skip).to.equal(false);
    expect(consent.acr).to.equal('urn:acr:pwd');
    expect(consent.amr).to.deep.equal(['pwd']);
    expect(consent.context).to.deep.equal({ via: 'hydra-client' });
    expect(consent.login_session_id).to.equal(login.session_id);
    // As Hydra: the login challenge of the same flow, so the apps can correlate the two requests.
    expect(consent.login_challenge).to.equal(loginChallenge);
    expect(consent.client?.client_id).to.equal(client.client_id);
    expect(consent.requested_scope).to.deep.equal(['openid', 'offline_access', 'email']);

    const code = await hop(browser, await consentApp(consentChallenge), REDIRECT, 'code');
    const tokens = await exchange(code, authz.verifier);
    expect(tokens.scope).to.equal('openid offline_access email');

    const { data: at } = await hydra.introspectOAuth2Token({ token: tokens.access_token });
    expect(at).to.include({ active: true, sub: 'alice', client_id: client.client_id, scope: 'openid offline_access email', token_use: 'access_token' });
    expect(at.iss).to.equal(t.config.urls.self.issuer);
    expect(at.aud).to.deep.equal([API]);
    expect(at.ext).to.deep.equal({ tier: 'gold' });
    expect(at.exp).to.be.a('number');

    const { data: narrowed } = await hydra.introspectOAuth2Token({ token: tokens.access_token, scope: 'email' });
    expect(narrowed.active).to.equal(true);
    const { data: tooWide } = await hydra.introspectOAuth2Token({ token: tokens.access_token, scope: 'admin' });
    expect(tooWide.active).to.equal(false);

    const { data: rt } = await hydra.introspectOAuth2Token({ token: tokens.refresh_token ?? '' });
    expect(rt).to.include({ active: true, sub: 'alice', token_use: 'refresh_token' });
  });

  it('honours skip: a remembered login and consent go through the same app code', async () => {
    const browser = new Browser();
    const first = authorize();
    const c1 = await hop(browser, first.url, LOGIN_URL, 'login_challenge');
    const k1 = await hop(browser, await loginApp(c1, 'bob', true), CONSENT_URL, 'consent_challenge');
    await hop(browser, await consentApp(k1, true), REDIRECT, 'code');

    const second = authorize();
    const c2 = await hop(browser, second.url, LOGIN_URL, 'login_challenge');
    const { data: login } = await hydra.getOAuth2LoginRequest({ loginChallenge: c2 });
    expect(login.skip).to.equal(true);
    expect(login.subject).to.equal('bob');
    const k2 = await hop(browser, await loginApp(c2, 'ignored-when-skipped'), CONSENT_URL, 'consent_challenge');
    const { data: consent } = await hydra.getOAuth2ConsentRequest({ consentChallenge: k2 });
    expect(consent.skip).to.equal(true);
    expect(consent.login_challenge).to.equal(c2);
    expect(consent.subject).to.equal('bob');
    const code = await hop(browser, await consentApp(k2), REDIRECT, 'code');
    const { data: at } = await hydra.introspectOAuth2Token({ token: (await exchange(code, second.verifier)).access_token });
    expect(at).to.include({ active: true, sub: 'bob' });
  });

  it('keeps the login challenge only sealed: no flow row holds it in plain text', async () => {
    const browser = new Browser();
    const loginChallenge = await hop(browser, authorize().url, LOGIN_URL, 'login_challenge');
    const consentChallenge = await hop(browser, await loginApp(loginChallenge, 'erin'), CONSENT_URL, 'consent_challenge');
    expect((await hydra.getOAuth2ConsentRequest({ consentChallenge })).data.login_challenge).to.equal(loginChallenge);
    const conn = connect(db.dsn);
    try {
      const rows = (await conn.knex('oauth2_flows').select('*')) as Array<Record<string, unknown>>;
      const stored = JSON.stringify(rows);
      expect(stored).not.to.include(loginChallenge);
      expect(stored).not.to.include(Buffer.from(loginChallenge).toString('base64url'));
      const sealed = rows.map((r) => r['login_challenge_sealed']).filter((v): v is string => typeof v === 'string');
      expect(sealed).to.have.length.greaterThan(0);
      for (const value of sealed) expect(value).to.match(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    } finally {
      await conn.knex.destroy();
    }
  });

  it('rejectOAuth2LoginRequest sends the user back to the client with the app\'s error', async () => {
    const browser = new Browser();
    const authz = authorize();
    const loginChallenge = await hop(browser, authz.url, LOGIN_URL, 'login_challenge');
    const { data, status } = await hydra.rejectOAuth2LoginRequest({
      loginChallenge,
      rejectOAuth2Request: { error: 'access_denied', error_description: 'The user gave up.', status_code: 403 },
    });
    expect(status).to.equal(200);
    const res = await browser.get(data.redirect_to);
    expect(res.status).to.equal(302);
    const back = new URL(res.location ?? '');
    expect(`${back.origin}${back.pathname}`).to.equal(REDIRECT);
    expect(back.searchParams.get('error')).to.equal('access_denied');
    expect(back.searchParams.get('error_description')).to.contain('The user gave up.');
    expect(back.searchParams.get('state')).to.equal(authz.state);
    expect(back.searchParams.get('iss')).to.equal(t.config.urls.self.issuer);
    expect(back.searchParams.has('code')).to.equal(false);
  });

  it('rejectOAuth2ConsentRequest sends the user back to the client with the app\'s error and hint', async () => {
    const browser = new Browser();
    const authz = authorize();
    const loginChallenge = await hop(browser, authz.url, LOGIN_URL, 'login_challenge');
    const consentChallenge = await hop(browser, await loginApp(loginChallenge, 'carol'), CONSENT_URL, 'consent_challenge');
    const { data } = await hydra.rejectOAuth2ConsentRequest({
      consentChallenge,
      rejectOAuth2Request: { error: 'access_denied', error_description: 'No consent.', error_hint: 'The user declined email.' },
    });
    const res = await browser.get(data.redirect_to);
    const back = new URL(res.location ?? '');
    expect(`${back.origin}${back.pathname}`).to.equal(REDIRECT);
    expect(back.searchParams.get('error')).to.equal('access_denied');
    expect(back.searchParams.get('error_description')).to.contain('No consent.').and.contain('The user declined email.');
    expect(back.searchParams.get('state')).to.equal(authz.state);
    expect(back.searchParams.has('code')).to.equal(false);
  });

  it('answers the SDK\'s mistakes as Hydra does: 404, 410 {redirect_to}, 400', async () => {
    const unknown = await failure(hydra.getOAuth2LoginRequest({ loginChallenge: 'z'.repeat(43) }));
    expect(unknown.status).to.equal(404);
    expect(unknown.data.error).to.equal('not_found');
    expect((await failure(hydra.getOAuth2ConsentRequest({ consentChallenge: 'z'.repeat(43) }))).status).to.equal(404);

    const browser = new Browser();
    const loginChallenge = await hop(browser, authorize().url, LOGIN_URL, 'login_challenge');
    const empty = await failure(hydra.acceptOAuth2LoginRequest({ loginChallenge, acceptOAuth2LoginRequest: { subject: '' } }));
    expect(empty.status).to.equal(400);
    expect(empty.data.error).to.equal('invalid_request');

    const { data: login } = await hydra.getOAuth2LoginRequest({ loginChallenge });
    const consentChallenge = await hop(browser, await loginApp(loginChallenge, 'dave'), CONSENT_URL, 'consent_challenge');
    // A Hydra app answers 410 by sending the browser to redirect_to (a fresh start).
    const gone = await failure(hydra.acceptOAuth2LoginRequest({ loginChallenge, acceptOAuth2LoginRequest: { subject: 'dave' } }));
    expect(gone.status).to.equal(410);
    expect(gone.data.redirect_to).to.equal(login.request_url);
    const wrongScope = await failure(
      hydra.acceptOAuth2ConsentRequest({ consentChallenge, acceptOAuth2ConsentRequest: { grant_scope: ['openid', 'admin'] } }),
    );
    expect(wrongScope.status).to.equal(400);
    expect(wrongScope.data.error).to.equal('invalid_request');
    await hop(browser, await consentApp(consentChallenge), REDIRECT, 'code');
    const goneConsent = await failure(hydra.getOAuth2ConsentRequest({ consentChallenge }));
    expect(goneConsent.status).to.equal(410);
    expect(goneConsent.data.redirect_to).to.equal(login.request_url);
  });
});
