import { expect } from 'chai';
import * as oidc from 'openid-client';
import { createHash } from 'node:crypto';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera, type Running } from '../helpers/tessera.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { Browser } from '../helpers/browser.js';
import { FLOW_URLS } from '../helpers/flow.js';
import { request } from '../helpers/http.js';
import { connect } from '../../server/src/storage/knex/index.js';
import { REDIRECT, adminApi, authorization, exchange, redirectTo, toConsent, toLogin, uid } from './login-consent-support.js';

/*
 * response_mode (OAuth 2.0 Multiple Response Type Encoding Practices §2.1,
 * OAuth 2.0 Form Post Response Mode §2): every authorization response,
 * success or error, travels in the mode the request named, with state and
 * RFC 9207 iss; the mode is kept with the flow through login and consent.
 */

type Mode = 'query' | 'fragment' | 'form_post';
const MODES: readonly Mode[] = ['query', 'fragment', 'form_post'];

interface Answer {
  readonly status: number;
  readonly location: string | undefined;
  readonly body: string;
  readonly headers: Headers;
}

const decode = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

/** The form_post page as a browser would read it: the form's action and fields, checked against its headers. */
export function formPostOf(res: Answer): { action: string; params: URLSearchParams } {
  expect(res.status, res.body).to.equal(200);
  expect(res.headers.get('content-type')).to.match(/^text\/html/);
  expect(res.headers.get('cache-control')).to.equal('no-store');
  expect(res.headers.get('referrer-policy')).to.equal('no-referrer');
  expect(res.headers.get('x-frame-options')).to.equal('DENY');
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).to.include("default-src 'none'").and.include("frame-ancestors 'none'").and.include("base-uri 'none'");
  // The only script allowed is the page's own: its hash, nothing else in script-src.
  const scripts = [...res.body.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
  expect(scripts).to.have.length(1);
  expect(res.body.match(/<script/g)).to.have.length(1);
  const hash = createHash('sha256').update(scripts[0] ?? '').digest('base64');
  expect(/script-src ([^;]*)/.exec(csp)?.[1]).to.equal(`'sha256-${hash}'`);
  expect(res.body).to.match(/<button type="submit">[^<]+<\/button>/);
  const forms = [...res.body.matchAll(/<form method="post" action="([^"]*)">/g)];
  expect(forms).to.have.length(1);
  const params = new URLSearchParams();
  for (const m of res.body.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) params.append(decode(m[1] ?? ''), decode(m[2] ?? ''));
  return { action: decode(forms[0]?.[1] ?? ''), params };
}

/** The authorization response's parameters, read where `mode` puts them, and nowhere else. */
function responseIn(mode: Mode, res: Answer): URLSearchParams {
  if (mode === 'form_post') {
    const { action, params } = formPostOf(res);
    expect(action).to.equal(REDIRECT);
    return params;
  }
  expect(res.status, `${res.status} ${res.location ?? res.body}`).to.equal(302);
  const url = new URL(res.location ?? '');
  expect(`${url.origin}${url.pathname}`).to.equal(REDIRECT);
  if (mode === 'query') {
    expect(url.hash, url.href).to.equal('');
    return url.searchParams;
  }
  expect(url.search, url.href).to.equal('');
  return new URLSearchParams(url.hash.slice(1));
}

function expectError(t: Running, params: URLSearchParams, error: string, state: string | undefined): void {
  expect(params.get('error'), params.toString()).to.equal(error);
  expect(params.get('error_description')).to.be.a('string').and.not.equal('');
  expect(params.get('code')).to.equal(null);
  expect(params.get('state')).to.equal(state ?? null);
  expect(params.get('iss')).to.equal(t.config.urls.self.issuer);
}

describeEachBackend('authorization response modes', (backend) => {
  const h = useTessera(backend, FLOW_URLS);
  let client: CreatedClient;
  before(async () => {
    client = await createClient(h.t.adminUrl, { redirect_uris: [REDIRECT], grant_types: ['authorization_code'], scope: 'openid offline_access' });
  });

  /** authorize → login accepted → the consent challenge, in one browser. */
  async function toConsentStep(browser: Browser, params: Record<string, string>) {
    const api = adminApi(h.t);
    const authz = authorization(h.t, client.client_id, params);
    const login = await toLogin(browser, authz.url);
    const consent = await toConsent(browser, redirectTo(await api.acceptLogin(login, { subject: 'user-1' })));
    return { api, authz, consent };
  }

  it('discovery advertises query, fragment and form_post', async () => {
    const res = await request<{ response_modes_supported: string[] }>(h.t.publicUrl, 'GET', '/.well-known/openid-configuration');
    expect(res.body.response_modes_supported).to.deep.equal(['query', 'fragment', 'form_post']);
  });

  for (const mode of MODES) {
    it(`response_mode=${mode}: the code, state and iss arrive in the ${mode}, and the code redeems`, async () => {
      const browser = new Browser();
      const { api, authz, consent } = await toConsentStep(browser, { response_mode: mode });
      const res = await browser.get(redirectTo(await api.acceptConsent(consent, { grant_scope: ['openid', 'offline_access'] })));
      const params = responseIn(mode, res);
      expect(params.get('state')).to.equal(authz.state);
      expect(params.get('iss')).to.equal(h.t.config.urls.self.issuer);
      expect(params.get('scope')).to.equal('openid offline_access');
      const tokens = await exchange(h.t, client, params.get('code') ?? '', authz.verifier);
      expect(tokens.status, tokens.text).to.equal(200);
    });

    it(`response_mode=${mode}: a rejected consent arrives as access_denied in the ${mode}`, async () => {
      const browser = new Browser();
      const { api, authz, consent } = await toConsentStep(browser, { response_mode: mode });
      const res = await browser.get(redirectTo(await api.rejectConsent(consent, { error: 'access_denied', error_description: 'The user said no.' })));
      expectError(h.t, responseIn(mode, res), 'access_denied', authz.state);
    });

    it(`response_mode=${mode}: a rejected login, prompt=none without a session and a refused scope all arrive in the ${mode}`, async () => {
      const api = adminApi(h.t);
      const browser = new Browser();
      const authz = authorization(h.t, client.client_id, { response_mode: mode });
      const login = await toLogin(browser, authz.url);
      expectError(h.t, responseIn(mode, await browser.get(redirectTo(await api.rejectLogin(login, {})))), 'access_denied', authz.state);
      const none = authorization(h.t, client.client_id, { response_mode: mode, prompt: 'none' });
      expectError(h.t, responseIn(mode, await new Browser().get(none.url)), 'login_required', none.state);
      const scoped = authorization(h.t, client.client_id, { response_mode: mode, scope: 'openid admin' });
      expectError(h.t, responseIn(mode, await new Browser().get(scoped.url)), 'invalid_scope', scoped.state);
    });
  }

  it('the mode is stored with the flow; a flow row stored before response modes (no responseMode) answers in the query', async () => {
    const browser = new Browser();
    const { api, authz, consent } = await toConsentStep(browser, { response_mode: 'fragment' });
    const id = (await api.getConsent(consent)).body.consent_request_id;
    const conn = connect(h.db.dsn);
    try {
      const row = (await conn.knex('oauth2_flows').where({ id }).first()) as { request: string } | undefined;
      const stored = JSON.parse(String(row?.request)) as { request: Record<string, unknown> };
      expect(stored.request['responseMode']).to.equal('fragment');
      delete stored.request['responseMode'];
      await conn.knex('oauth2_flows').where({ id }).update({ request: JSON.stringify(stored) });
    } finally {
      await conn.knex.destroy();
    }
    const params = responseIn('query', await browser.get(redirectTo(await api.acceptConsent(consent, { grant_scope: ['openid'] }))));
    expect(params.get('code')).to.match(/^ory_ac_/);
    expect(params.get('state')).to.equal(authz.state);
  });

  it('an unknown response_mode, prototype names included, is unsupported_response_mode in the query (the default for code)', async () => {
    for (const name of ['bogus', 'query.jwt', 'constructor', '__proto__', 'toString', 'QUERY', ' query']) {
      const authz = authorization(h.t, client.client_id, { response_mode: name });
      expectError(h.t, responseIn('query', await new Browser().get(authz.url)), 'unsupported_response_mode', authz.state);
    }
  });

  it('an empty response_mode is the default (query), as in Hydra', async () => {
    const browser = new Browser();
    const { api, authz, consent } = await toConsentStep(browser, { response_mode: '' });
    const params = responseIn('query', await browser.get(redirectTo(await api.acceptConsent(consent, { grant_scope: ['openid'] }))));
    expect(params.get('code')).to.match(/^ory_ac_/);
    expect(params.get('state')).to.equal(authz.state);
  });

  it('form_post: every value is HTML-escaped and arrives unchanged', async () => {
    const state = `"><script>alert(1)</script>&amp;'${uid()}`;
    const authz = authorization(h.t, client.client_id, { response_mode: 'form_post', scope: 'openid admin', state });
    const res = await new Browser().get(authz.url);
    expect(res.body).not.to.include('<script>alert');
    expect(res.body).not.to.include('"><script>');
    expectError(h.t, responseIn('form_post', res), 'invalid_scope', state);
  });

  it('openid-client validates a form_post response (state, iss, PKCE, nonce) and rejects one whose iss was changed', async () => {
    const config = await oidc.discovery(new URL(h.t.config.urls.self.issuer), client.client_id, undefined, oidc.ClientSecretBasic(client.client_secret), {
      execute: [oidc.allowInsecureRequests],
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const checks = { pkceCodeVerifier: verifier, expectedState: oidc.randomState(), expectedNonce: oidc.randomNonce(), idTokenExpected: true };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      response_mode: 'form_post',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: checks.expectedState,
      nonce: checks.expectedNonce,
    });
    const api = adminApi(h.t);
    const browser = new Browser();
    const consent = await toConsent(browser, redirectTo(await api.acceptLogin(await toLogin(browser, url.href), { subject: 'alice' })));
    const { action, params } = formPostOf(await browser.get(redirectTo(await api.acceptConsent(consent, { grant_scope: ['openid'] }))));
    // What the browser would POST to the client, as the client's framework hands it over.
    const posted = (body: URLSearchParams) => new Request(action, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const forged = new URLSearchParams(params);
    forged.set('iss', 'https://attacker.example');
    let refused: unknown;
    await oidc.authorizationCodeGrant(config, posted(forged), checks).catch((err: unknown) => (refused = err));
    expect(refused, 'a response with another iss').to.be.instanceOf(Error);
    const tokens = await oidc.authorizationCodeGrant(config, posted(params), checks);
    expect(tokens.claims()?.sub).to.equal('alice');
  });
});
