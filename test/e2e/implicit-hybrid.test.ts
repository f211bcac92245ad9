import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera } from '../helpers/tessera.js';
import { basic, createClient, type CreatedClient } from '../helpers/clients.js';
import { Browser } from '../helpers/browser.js';
import { acceptConsent, acceptLogin, challengeOf, FLOW_URLS, runFlow } from '../helpers/flow.js';
import { request } from '../helpers/http.js';
import { introspect } from './tokens-helpers.js';

/*
 * Issue 14 items 3–5: implicit and hybrid response types (OpenID Connect
 * Core §3.2, §3.3) for clients that register them, checked by openid-client
 * where it has a mode for them and by hand (jose, at_hash, c_hash) where not.
 */

const REDIRECT = 'http://127.0.0.1:9999/callback';
const STATE = 'state-0123456789';
const NONCE = 'nonce-0123456789';
const ALL_TYPES = ['code', 'id_token', 'token', 'id_token token', 'code id_token', 'code token', 'code id_token token'];

/** The left half of SHA-256 (RS256 ID tokens), OIDC Core §3.3.2.11. */
const halfHash = (value: string) => createHash('sha256').update(value).digest().subarray(0, 16).toString('base64url');

/** The parameters of a fragment response. */
function fragmentOf(url: URL): URLSearchParams {
  expect(url.search, `nothing in the query of ${url.href}`).to.equal('');
  return new URLSearchParams(url.hash.slice(1));
}

describeEachBackend('implicit and hybrid response types', (backend) => {
  const h = useTessera(backend, FLOW_URLS);
  let client: CreatedClient;
  let codeOnly: CreatedClient;
  let jwks: ReturnType<typeof createRemoteJWKSet>;

  before(async () => {
    client = await createClient(h.t.adminUrl, {
      client_name: 'legacy SPA and hybrid RP',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'implicit', 'refresh_token'],
      response_types: ALL_TYPES,
      scope: 'openid offline_access email',
      implicit_grant_access_token_lifespan: '15m',
      implicit_grant_id_token_lifespan: '10m',
    });
    codeOnly = await createClient(h.t.adminUrl, { redirect_uris: [REDIRECT], scope: 'openid offline_access' });
    jwks = createRemoteJWKSet(new URL(`${h.t.publicUrl}/.well-known/jwks.json`));
  });

  const authorizeUrl = (c: CreatedClient, params: Record<string, string | undefined>) => {
    const all = { client_id: c.client_id, redirect_uri: REDIRECT, scope: 'openid offline_access email', state: STATE, nonce: NONCE, ...params };
    const defined = Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined);
    return `${h.t.publicUrl}/oauth2/auth?${new URLSearchParams(defined)}`;
  };
  const verifyIdToken = async (token: string): Promise<JWTPayload> =>
    (await jwtVerify(token, jwks, { issuer: h.t.config.urls.self.issuer, audience: client.client_id })).payload;

  it('lists every response type and the implicit grant in discovery', async () => {
    const res = await request<Record<string, unknown>>(h.t.publicUrl, 'GET', '/.well-known/openid-configuration');
    expect(res.body['response_types_supported']).to.deep.equal(ALL_TYPES);
    expect(res.body['grant_types_supported']).to.include('implicit');
    expect(res.body['claims_supported']).to.include.members(['at_hash', 'c_hash']);
  });

  it('completes an implicit id_token flow that openid-client validates (useIdTokenResponseType)', async () => {
    const config = await oidc.discovery(new URL(h.t.config.urls.self.issuer), client.client_id, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    oidc.useIdTokenResponseType(config);
    const nonce = oidc.randomNonce();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid email', nonce, state });
    const callback = await runFlow(new Browser(), h.t.adminUrl, url.href, {
      login: { subject: 'alice', acr: 'urn:acr:pwd' },
      consent: { session: { id_token: { email: 'alice@example.com' } } },
    });
    const params = fragmentOf(callback);
    expect(params.get('iss')).to.equal(h.t.config.urls.self.issuer);
    expect(params.get('code')).to.equal(null);
    expect(params.get('access_token')).to.equal(null);
    const claims = await oidc.implicitAuthentication(config, callback, nonce, { expectedState: state });
    expect(claims).to.include({ sub: 'alice', email: 'alice@example.com', acr: 'urn:acr:pwd', nonce });
    expect(claims['at_hash']).to.equal(undefined);
    // implicit_grant_id_token_lifespan: 10m
    expect(Number(claims.exp) - Number(claims.iat)).to.equal(600);
  });

  it('completes a hybrid code id_token flow that openid-client validates, c_hash included (useCodeIdTokenResponseType)', async () => {
    const config = await oidc.discovery(new URL(h.t.config.urls.self.issuer), client.client_id, undefined, oidc.ClientSecretBasic(client.client_secret), {
      execute: [oidc.allowInsecureRequests],
    });
    oidc.useCodeIdTokenResponseType(config);
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid offline_access',
      nonce,
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const callback = await runFlow(new Browser(), h.t.adminUrl, url.href, { login: { subject: 'bob' } });
    const front = fragmentOf(callback);
    const idToken = await verifyIdToken(front.get('id_token') ?? '');
    expect(idToken['c_hash']).to.equal(halfHash(front.get('code') ?? ''));
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true });
    expect(tokens.access_token).to.match(/^ory_at_/);
    expect(tokens.refresh_token).to.match(/^ory_rt_/);
    expect(tokens.claims()).to.include({ sub: 'bob', nonce });
  });

  it('answers token with an access token in the fragment: implicit lifespan, no refresh token, usable at userinfo', async () => {
    const callback = await runFlow(new Browser(), h.t.adminUrl, authorizeUrl(client, { response_type: 'token', nonce: undefined }), {
      login: { subject: 'carol' },
      consent: { session: { id_token: { email: 'carol@example.com' } } },
    });
    const params = fragmentOf(callback);
    expect(params.get('access_token')).to.match(/^ory_at_/);
    expect(params.get('token_type')).to.equal('bearer');
    expect(params.get('expires_in')).to.equal('900');
    expect(params.get('scope')).to.equal('openid offline_access email');
    expect(params.get('state')).to.equal(STATE);
    expect(params.get('refresh_token')).to.equal(null);
    expect(params.get('id_token')).to.equal(null);
    const info = await request<Record<string, unknown>>(h.t.publicUrl, 'GET', '/userinfo', { headers: { authorization: `Bearer ${params.get('access_token')}` } });
    expect(info.status, info.text).to.equal(200);
    expect(info.body).to.deep.equal({ sub: 'carol', email: 'carol@example.com' });
    expect(await introspect(h.t, params.get('access_token') ?? '')).to.include({ active: true, sub: 'carol', client_id: client.client_id });
  });

  it('binds the access token to the ID token with at_hash (id_token token)', async () => {
    const callback = await runFlow(new Browser(), h.t.adminUrl, authorizeUrl(client, { response_type: 'token id_token' }), { login: { subject: 'dave' } });
    const params = fragmentOf(callback);
    const token = params.get('id_token') ?? '';
    expect(decodeProtectedHeader(token).alg).to.equal('RS256');
    const claims = await verifyIdToken(token);
    expect(claims).to.include({ sub: 'dave', nonce: NONCE, at_hash: halfHash(params.get('access_token') ?? '') });
    expect(claims['c_hash']).to.equal(undefined);
  });

  for (const type of ['code token', 'code id_token token']) {
    it(`answers ${type}: code and token in the fragment, a second exchange of the code revokes the front-channel token too`, async () => {
      const callback = await runFlow(new Browser(), h.t.adminUrl, authorizeUrl(client, { response_type: type }), { login: { subject: 'erin' } });
      const params = fragmentOf(callback);
      const code = params.get('code') ?? '';
      const access = params.get('access_token') ?? '';
      expect(code).to.match(/^ory_ac_/);
      expect(access).to.match(/^ory_at_/);
      if (type.includes('id_token')) {
        expect(await verifyIdToken(params.get('id_token') ?? '')).to.include({ c_hash: halfHash(code), at_hash: halfHash(access), nonce: NONCE });
      } else {
        expect(params.get('id_token')).to.equal(null);
      }
      const exchange = () =>
        request<Record<string, unknown>>(h.t.publicUrl, 'POST', '/oauth2/token', {
          body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }).toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.client_id, client.client_secret) },
        });
      const first = await exchange();
      expect(first.status, first.text).to.equal(200);
      expect(first.body['id_token']).to.be.a('string');
      expect((await exchange()).body['error']).to.equal('invalid_grant');
      expect((await introspect(h.t, access)).active, 'the front-channel token of the reused code').to.equal(false);
      expect((await introspect(h.t, String(first.body['access_token']))).active).to.equal(false);
    });
  }

  it('revokes implicit tokens with the consent they came from', async () => {
    const callback = await runFlow(new Browser(), h.t.adminUrl, authorizeUrl(client, { response_type: 'token', nonce: undefined }), { login: { subject: 'frank' } });
    const access = fragmentOf(callback).get('access_token') ?? '';
    expect((await introspect(h.t, access)).active).to.equal(true);
    const revoked = await request(h.t.adminUrl, 'DELETE', `/admin/oauth2/auth/sessions/consent?subject=frank&client=${encodeURIComponent(client.client_id)}`);
    expect(revoked.status, revoked.text).to.equal(204);
    expect((await introspect(h.t, access)).active).to.equal(false);
  });

  it('posts implicit responses with response_mode=form_post', async () => {
    const browser = new Browser();
    const start = await browser.get(authorizeUrl(client, { response_type: 'id_token', response_mode: 'form_post' }));
    const afterLogin = await browser.get(await acceptLogin(h.t.adminUrl, challengeOf(start.location, 'login_challenge'), { subject: 'gina' }));
    const done = await browser.get(await acceptConsent(h.t.adminUrl, challengeOf(afterLogin.location, 'consent_challenge')));
    expect(done.status, done.body).to.equal(200);
    expect(done.body).to.include(`action="${REDIRECT}"`);
    const idToken = /name="id_token" value="([^"]+)"/.exec(done.body)?.[1] ?? '';
    expect(await verifyIdToken(idToken)).to.include({ sub: 'gina', nonce: NONCE });
  });

  describe('refusals, delivered in the fragment', () => {
    const refused = async (c: CreatedClient, params: Record<string, string | undefined>, error: string, consent?: { grant_scope: string[] }) => {
      const browser = new Browser();
      const start = await browser.get(authorizeUrl(c, params));
      let location = start.location;
      if (consent) {
        const afterLogin = await browser.get(await acceptLogin(h.t.adminUrl, challengeOf(location, 'login_challenge')));
        location = (await browser.get(await acceptConsent(h.t.adminUrl, challengeOf(afterLogin.location, 'consent_challenge'), consent))).location;
      }
      const fragment = fragmentOf(new URL(location ?? ''));
      expect(fragment.get('error'), location).to.equal(error);
      expect(fragment.get('state')).to.equal(STATE);
      expect(fragment.get('iss')).to.equal(h.t.config.urls.self.issuer);
      expect(fragment.get('access_token')).to.equal(null);
      expect(fragment.get('id_token')).to.equal(null);
      return fragment.get('error_description') ?? '';
    };

    it('a client that did not register token, with the RFC 9700 reason', async () => {
      expect(await refused(codeOnly, { response_type: 'token' }, 'unsupported_response_type')).to.include('RFC 9700');
      expect(await refused(codeOnly, { response_type: 'code id_token' }, 'unsupported_response_type')).to.include('RFC 9700');
    });
    it('response_mode=query for a response carrying tokens', async () => {
      expect(await refused(client, { response_type: 'id_token token', response_mode: 'query' }, 'unsupported_response_mode')).to.include('query');
    });
    it('an ID token without nonce', async () => {
      expect(await refused(client, { response_type: 'code id_token', nonce: undefined }, 'invalid_request')).to.include('nonce');
    });
    it('an ID token without the openid scope', async () => {
      await refused(client, { response_type: 'id_token', scope: 'email' }, 'invalid_scope');
    });
    it('token without state (nothing else protects it)', async () => {
      const browser = new Browser();
      const start = await browser.get(authorizeUrl(client, { response_type: 'token', state: undefined, nonce: undefined }));
      expect(fragmentOf(new URL(start.location ?? '')).get('error')).to.equal('invalid_request');
    });
    it('an ID token when consent did not grant openid', async () => {
      expect(await refused(client, { response_type: 'id_token token' }, 'access_denied', { grant_scope: ['email'] })).to.include('openid');
    });
  });
});
