import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { describeEachBackend, type Database } from '../helpers/databases.js';
import { startTessera, type Running } from '../helpers/tessera.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { FLOW_URLS, LOGIN_URL } from '../helpers/flow.js';
import { request } from '../helpers/http.js';

/*
 * The happy path of /oauth2/auth: the redirect to the login app, the browser
 * cookie that binds the flow (RFC 9700 §4.7), the login request as Hydra v2
 * serves it to the login app, and what discovery says about the endpoint.
 */

const REDIRECT = 'https://client.example/cb';
const AUDIENCE = 'https://api.example.com';
const STATE = 'state-0123456789';
const NONCE = 'nonce-0123456789';
const VERIFIER = 'v'.repeat(43) + '-authorize-login';
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');
const HTTPS_ISSUER = 'https://auth.example.com';

interface LoginRequest {
  challenge: string;
  client: Record<string, unknown>;
  request_url: string;
  requested_scope: string[];
  requested_access_token_audience: string[];
  skip: boolean;
  subject: string;
  oidc_context: Record<string, unknown>;
  session_id: string;
}

function query(client: CreatedClient, extra: Record<string, string> = {}): string {
  return new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid offline_access',
    state: STATE,
    nonce: NONCE,
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    ...extra,
  }).toString();
}

/** A browser's first visit: a plain fetch, so the raw Set-Cookie lines can be read. */
async function firstVisit(t: Running, client: CreatedClient): Promise<{ status: number; location: string; setCookie: string[]; cacheControl: string | null }> {
  const res = await fetch(`${t.publicUrl}/oauth2/auth?${query(client)}`, { redirect: 'manual' });
  await res.text();
  return { status: res.status, location: res.headers.get('location') ?? '', setCookie: res.headers.getSetCookie(), cacheControl: res.headers.get('cache-control') };
}

/** The `tessera_browser` cookie's value and its attributes, lower-cased. */
function browserCookie(setCookie: readonly string[]): { value: string; attributes: string[] } {
  const line = setCookie.find((l) => l.startsWith('tessera_browser='));
  expect(line, `a tessera_browser cookie in ${JSON.stringify(setCookie)}`).to.be.a('string');
  const [pair = '', ...attributes] = (line ?? '').split(';').map((p) => p.trim());
  return { value: pair.slice('tessera_browser='.length), attributes: attributes.map((a) => a.toLowerCase()) };
}

async function loginRequest(t: Running, param: 'login_challenge' | 'challenge', challenge: string): Promise<LoginRequest> {
  const res = await request<LoginRequest>(t.adminUrl, 'GET', `/admin/oauth2/auth/requests/login?${param}=${encodeURIComponent(challenge)}`);
  expect(res.status, res.text).to.equal(200);
  return res.body;
}

describeEachBackend('/oauth2/auth: the way to the login app', (backend) => {
  let db: Database;
  let t: Running;
  let client: CreatedClient;

  before(async () => {
    db = await backend.create();
    t = await startTessera(db, FLOW_URLS);
    client = await createClient(t.adminUrl, { client_name: 'Login test', redirect_uris: [REDIRECT], scope: 'openid offline_access profile', audience: [AUDIENCE] });
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  it('redirects 302 to urls.login with a login_challenge and nothing else of the request', async () => {
    const res = await firstVisit(t, client);
    expect(res.status).to.equal(302);
    const location = new URL(res.location);
    expect(`${location.origin}${location.pathname}`).to.equal(LOGIN_URL);
    expect([...location.searchParams.keys()]).to.deep.equal(['login_challenge']);
    expect(location.searchParams.get('login_challenge')).to.match(/^[A-Za-z0-9_-]{32,}$/);
    expect(res.cacheControl).to.equal('no-store');
  });

  it('sets tessera_browser HttpOnly, SameSite=Lax, Path=/, and not Secure on an http issuer', async () => {
    const { value, attributes } = browserCookie((await firstVisit(t, client)).setCookie);
    expect(value.length, 'an unguessable value').to.be.at.least(43);
    expect(attributes).to.include.members(['httponly', 'samesite=lax', 'path=/']);
    expect(attributes).not.to.include('secure');
  });

  it('gives every new browser its own cookie and challenge', async () => {
    const a = await firstVisit(t, client);
    const b = await firstVisit(t, client);
    expect(browserCookie(a.setCookie).value).not.to.equal(browserCookie(b.setCookie).value);
    expect(new URL(a.location).searchParams.get('login_challenge')).not.to.equal(new URL(b.location).searchParams.get('login_challenge'));
  });

  it('serves the login request with Hydra v2 fields', async () => {
    const extra = { login_hint: 'alice@example.com', ui_locales: 'de-CH en', acr_values: 'urn:acr:pwd urn:acr:mfa', display: 'popup', audience: AUDIENCE };
    const res = await fetch(`${t.publicUrl}/oauth2/auth?${query(client, extra)}`, { redirect: 'manual' });
    const challenge = new URL(res.headers.get('location') ?? '').searchParams.get('login_challenge') ?? '';
    const login = await loginRequest(t, 'login_challenge', challenge);

    expect(login.challenge).to.equal(challenge);
    expect(login.client['client_id']).to.equal(client.client_id);
    expect(login.client['client_name']).to.equal('Login test');
    expect(login.client).not.to.have.property('client_secret');
    expect(login.requested_scope).to.deep.equal(['openid', 'offline_access']);
    expect(login.requested_access_token_audience).to.deep.equal([AUDIENCE]);
    expect(login.skip).to.equal(false);
    expect(login.subject).to.equal('');
    expect(login.session_id).to.be.a('string').and.not.equal('');
    expect(login.oidc_context).to.deep.include({
      login_hint: 'alice@example.com',
      ui_locales: ['de-CH', 'en'],
      acr_values: ['urn:acr:pwd', 'urn:acr:mfa'],
      display: 'popup',
    });

    const requestUrl = new URL(login.request_url);
    expect(`${requestUrl.origin}${requestUrl.pathname}`).to.equal(`${t.config.urls.self.issuer}/oauth2/auth`);
    expect(Object.fromEntries(requestUrl.searchParams)).to.deep.include({ client_id: client.client_id, redirect_uri: REDIRECT, state: STATE, nonce: NONCE, ...extra });
  });

  it('serves empty lists, not nulls, when nothing optional was asked for', async () => {
    const res = await fetch(`${t.publicUrl}/oauth2/auth?${query(client, { scope: 'openid' })}`, { redirect: 'manual' });
    const login = await loginRequest(t, 'login_challenge', new URL(res.headers.get('location') ?? '').searchParams.get('login_challenge') ?? '');
    expect(login.requested_access_token_audience).to.deep.equal([]);
    expect(login.oidc_context['ui_locales']).to.deep.equal([]);
    expect(login.oidc_context['acr_values']).to.deep.equal([]);
    expect(login.oidc_context).not.to.have.property('login_hint');
  });

  it('accepts ?challenge= as an alias of ?login_challenge=', async () => {
    const challenge = new URL((await firstVisit(t, client)).location).searchParams.get('login_challenge') ?? '';
    const viaAlias = await loginRequest(t, 'challenge', challenge);
    const viaName = await loginRequest(t, 'login_challenge', challenge);
    expect(viaAlias).to.deep.equal(viaName);
    expect(viaAlias.challenge).to.equal(challenge);
  });

  it('answers 404 for a challenge nobody issued', async () => {
    const res = await request<{ error: string }>(t.adminUrl, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${'x'.repeat(43)}`);
    expect(res.status, res.text).to.equal(404);
    expect(res.body.error).to.equal('not_found');
  });

  it('describes the endpoint in discovery', async () => {
    const res = await request<Record<string, unknown>>(t.publicUrl, 'GET', '/.well-known/openid-configuration');
    expect(res.status, res.text).to.equal(200);
    const issuer = t.config.urls.self.issuer;
    expect(res.body).to.deep.include({
      issuer,
      authorization_endpoint: `${issuer}/oauth2/auth`,
      userinfo_endpoint: `${issuer}/userinfo`,
      response_types_supported: ['code', 'id_token', 'token', 'id_token token', 'code id_token', 'code token', 'code id_token token'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    });
  });

  describe('behind an https issuer', () => {
    let s: Running;
    let sDb: Database;
    let sClient: CreatedClient;

    before(async () => {
      sDb = await backend.create();
      s = await startTessera(sDb, { urls: { ...FLOW_URLS.urls, self: { issuer: HTTPS_ISSUER } } });
      sClient = await createClient(s.adminUrl, { redirect_uris: [REDIRECT], scope: 'openid offline_access' });
    });
    after(async () => {
      await s?.stop();
      await sDb?.drop();
    });

    it('marks tessera_browser Secure as well', async () => {
      const res = await firstVisit(s, sClient);
      expect(res.status).to.equal(302);
      const { attributes } = browserCookie(res.setCookie);
      expect(attributes).to.include.members(['httponly', 'samesite=lax', 'path=/', 'secure']);
    });

    it('puts the https issuer in iss and in discovery', async () => {
      const res = await fetch(`${s.publicUrl}/oauth2/auth?${query(sClient, { response_type: 'bogus' })}`, { redirect: 'manual' });
      expect(new URL(res.headers.get('location') ?? '').searchParams.get('iss')).to.equal(HTTPS_ISSUER);
      const discovery = await request<Record<string, unknown>>(s.publicUrl, 'GET', '/.well-known/openid-configuration');
      expect(discovery.body['authorization_endpoint']).to.equal(`${HTTPS_ISSUER}/oauth2/auth`);
    });
  });
});
