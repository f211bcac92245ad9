import { expect } from 'chai';
import * as oidc from 'openid-client';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera } from '../helpers/tessera.js';
import { basic, createClient, type CreatedClient } from '../helpers/clients.js';
import { Browser } from '../helpers/browser.js';
import { acceptConsent, acceptLogin, challengeOf, FLOW_URLS, type ConsentDecision } from '../helpers/flow.js';
import { request } from '../helpers/http.js';
import { trustedIssuer } from '../helpers/trust.js';
import { approve, DEVICE_GRANT, DEVICE_URLS, deviceAuth } from './device-support.js';

/*
 * Issue 17 item 3: resource indicators (RFC 8707), an extension beyond Hydra.
 * `resource` (repeatable, absolute URIs without a fragment) joins Hydra's
 * `audience` at the authorization endpoint; at the token endpoint it narrows
 * the access token's audience to granted resources; with client_credentials
 * it asks for audiences. openid-client sends it as an extra parameter.
 */

const REDIRECT = 'http://127.0.0.1:9999/callback';
const API_A = 'https://a.api.test/';
const API_B = 'https://b.api.test/v1?tenant=t1';
const API_C = 'urn:example:api:c';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** An audience that is no URI: `audience` may name it, `resource` may not. */
const LEGACY = 'legacy-api';

type Json = Record<string, unknown>;

describeEachBackend('resource indicators (RFC 8707)', (backend) => {
  // Polling without an interval: the device test polls again right after a refusal.
  const h = useTessera(backend, { urls: { ...FLOW_URLS.urls, ...DEVICE_URLS.urls }, oauth2: { device_authorization: { token_polling_interval: '0s' } } });
  let client: CreatedClient;
  let config: oidc.Configuration;

  before(async () => {
    client = await createClient(h.t.adminUrl, {
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials', DEVICE_GRANT, JWT_BEARER],
      scope: 'openid offline_access',
      audience: [API_A, API_B, API_C, LEGACY],
    });
    config = await oidc.discovery(new URL(h.t.config.urls.self.issuer), client.client_id, undefined, oidc.ClientSecretBasic(client.client_secret), {
      execute: [oidc.allowInsecureRequests],
    });
  });

  const auth = () => basic(client.client_id, client.client_secret);
  const introspect = async (token: string): Promise<Json> =>
    (await request<Json>(h.t.adminUrl, 'POST', '/admin/oauth2/introspect', { body: new URLSearchParams({ token }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })).body;
  const audOf = async (token: string | undefined) => (await introspect(token ?? ''))['aud'];
  /** POST a raw form (repeats need it) to a public path with the client's Basic credentials. */
  const post = (path: string, body: string) =>
    request<Json>(h.t.publicUrl, 'POST', path, { body, headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth() } });

  /** Authorization parameters; `extra` is appended, repeats kept. */
  const authorizeQuery = (extra: [string, string][] = []) => {
    const q = new URLSearchParams({ client_id: client.client_id, response_type: 'code', redirect_uri: REDIRECT, scope: 'openid offline_access', state: 'state-0123456789' });
    for (const [name, value] of extra) q.append(name, value);
    return q;
  };
  /** An openid-client authorization URL with PKCE, openid offline_access and these resources. */
  async function codeRequest(resources: readonly string[]): Promise<{ verifier: string; url: string }> {
    const verifier = oidc.randomPKCECodeVerifier();
    const params = new URLSearchParams({ redirect_uri: REDIRECT, scope: 'openid offline_access', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    for (const resource of resources) params.append('resource', resource);
    return { verifier, url: oidc.buildAuthorizationUrl(config, params).href };
  }
  /** To the consent app: the consent request (what it is asked to grant) and its challenge. */
  async function toConsent(browser: Browser, url: string) {
    const start = await browser.get(url);
    expect(start.status, start.body).to.equal(302);
    const afterLogin = await browser.get(await acceptLogin(h.t.adminUrl, challengeOf(start.location, 'login_challenge')));
    const challenge = challengeOf(afterLogin.location, 'consent_challenge');
    const consent = await request<Json>(h.t.adminUrl, 'GET', `/admin/oauth2/auth/requests/consent?consent_challenge=${encodeURIComponent(challenge)}`);
    expect(consent.status, consent.text).to.equal(200);
    return { challenge, consent: consent.body };
  }
  /** The rest of the flow: consent (all requested, unless told), then the callback URL. */
  async function finish(browser: Browser, challenge: string, decision: ConsentDecision = {}): Promise<URL> {
    const done = await browser.get(await acceptConsent(h.t.adminUrl, challenge, decision));
    expect(done.status, done.body).to.equal(302);
    return new URL(done.location ?? '');
  }
  /** The error the authorization endpoint sent to the client's redirect_uri. */
  async function refusedAtAuthorize(extra: [string, string][]): Promise<URL> {
    const res = await new Browser().get(`${h.t.publicUrl}/oauth2/auth?${authorizeQuery(extra)}`);
    expect(res.status, res.body).to.equal(302);
    const to = new URL(res.location ?? '');
    expect(`${to.origin}${to.pathname}`).to.equal(REDIRECT);
    return to;
  }
  const invalidTarget = (err: unknown) => {
    expect(err).to.be.instanceOf(oidc.ResponseBodyError);
    expect((err as oidc.ResponseBodyError).error).to.equal('invalid_target');
    expect((err as oidc.ResponseBodyError).status).to.equal(400);
  };

  it('selects the audience: requested at /oauth2/auth, narrowed per resource at the token endpoint, the refresh token keeping the grant', async () => {
    const { verifier, url } = await codeRequest([API_A, API_B]);
    const browser = new Browser();
    const { challenge, consent } = await toConsent(browser, url);
    expect(consent['requested_access_token_audience']).to.deep.equal([API_A, API_B]);
    // The consent app sees each resource as its own parameter, as the client sent them.
    expect(new URL(String(consent['request_url'])).searchParams.getAll('resource')).to.deep.equal([API_A, API_B]);
    const callback = await finish(browser, challenge);

    // RFC 8707 §2.2: one resource at the code exchange; the refresh token keeps both.
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, idTokenExpected: true }, { resource: API_A });
    expect(await audOf(tokens.access_token)).to.deep.equal([API_A]);
    expect(await audOf(tokens.refresh_token)).to.deep.equal([API_A, API_B]);
    // The ID token is for the client, whatever the resource.
    expect(tokens.claims()?.aud).to.deep.equal([client.client_id]);

    // Down-scoping a refresh to the other resource; the next refresh may still get either, or all.
    const toB = await oidc.refreshTokenGrant(config, tokens.refresh_token ?? '', { resource: API_B });
    expect(await audOf(toB.access_token)).to.deep.equal([API_B]);
    expect(await audOf(toB.refresh_token)).to.deep.equal([API_A, API_B]);
    // Rotation as ever: the refresh retired the grant's earlier access token, the one for API_A included.
    expect((await introspect(tokens.access_token))['active']).to.equal(false);
    const toA = await oidc.refreshTokenGrant(config, toB.refresh_token ?? '', { resource: API_A });
    expect(await audOf(toA.access_token)).to.deep.equal([API_A]);
    const all = await oidc.refreshTokenGrant(config, toA.refresh_token ?? '');
    expect(await audOf(all.access_token)).to.deep.equal([API_A, API_B]);
    const both = new URLSearchParams([['resource', API_B], ['resource', API_A]]);
    const again = await oidc.refreshTokenGrant(config, all.refresh_token ?? '', both);
    expect(await audOf(again.access_token)).to.deep.equal([API_B, API_A]);
  });

  it('refuses a resource consent did not grant at the token endpoint (invalid_target), without spending the code or refresh token', async () => {
    const { verifier, url } = await codeRequest([API_A, API_C]);
    const browser = new Browser();
    const { challenge } = await toConsent(browser, url);
    const callback = await finish(browser, challenge, { grant_access_token_audience: [API_A] });

    const refused = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier }, { resource: API_C }).catch((err: unknown) => err);
    invalidTarget(refused);
    expect((refused as oidc.ResponseBodyError).cause).to.include({ error_description: `The requested resource is invalid, missing, unknown, or malformed. The resource "${API_C}" was not granted to this client by this grant.` });
    // A resource the client may have but never asked for is not granted either.
    invalidTarget(await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier }, { resource: API_B }).catch((err: unknown) => err));

    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier });
    expect(await audOf(tokens.access_token)).to.deep.equal([API_A]);
    invalidTarget(await oidc.refreshTokenGrant(config, tokens.refresh_token ?? '', { resource: API_C }).catch((err: unknown) => err));
    invalidTarget(await oidc.refreshTokenGrant(config, tokens.refresh_token ?? '', { resource: '/relative' }).catch((err: unknown) => err));
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token ?? '', { resource: API_A });
    expect(await audOf(refreshed.access_token)).to.deep.equal([API_A]);
  });

  it('joins `resource` and Hydra\'s `audience` in requested_access_token_audience', async () => {
    const { consent } = await toConsent(new Browser(), `${h.t.publicUrl}/oauth2/auth?${authorizeQuery([['audience', LEGACY], ['resource', API_C], ['audience', API_A], ['resource', API_A]])}`);
    expect(consent['requested_access_token_audience']).to.deep.equal([LEGACY, API_A, API_C]);
  });

  it('reads repeated resources from a POSTed authorization request and from a pushed one', async () => {
    const query = authorizeQuery([['resource', API_B], ['resource', API_C]]);
    const posted = await fetch(`${h.t.publicUrl}/oauth2/auth`, { method: 'POST', redirect: 'manual', body: query, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(posted.status).to.equal(302);
    const login = challengeOf(posted.headers.get('location') ?? undefined, 'login_challenge');
    const read = await request<Json>(h.t.adminUrl, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${encodeURIComponent(login)}`);
    expect(read.body['requested_access_token_audience']).to.deep.equal([API_B, API_C]);

    const pushed = await post('/oauth2/par', query.toString());
    expect(pushed.status, pushed.text).to.equal(201);
    const { consent } = await toConsent(new Browser(), `${h.t.publicUrl}/oauth2/auth?${new URLSearchParams({ client_id: client.client_id, request_uri: String(pushed.body['request_uri']) })}`);
    expect(consent['requested_access_token_audience']).to.deep.equal([API_B, API_C]);
  });

  const malformed: [string, string][] = [
    ['relative', '/api'],
    ['without a scheme', 'a.api.test'],
    ['with a fragment', 'https://a.api.test/#frag'],
    ['empty', ''],
    ['with a space (two URIs in one value)', `${API_A} ${API_C}`],
    ['with a bad percent-encoding', 'https://a.api.test/%zz'],
  ];

  for (const [what, value] of malformed) {
    it(`refuses a resource ${what} with invalid_target, at /oauth2/auth, /oauth2/par and the token endpoint`, async () => {
      const to = await refusedAtAuthorize([['resource', API_A], ['resource', value]]);
      expect(to.searchParams.get('error')).to.equal('invalid_target');
      expect(to.searchParams.get('state')).to.equal('state-0123456789');
      const pushed = await post('/oauth2/par', authorizeQuery([['resource', value]]).toString());
      expect(pushed.status).to.equal(400);
      expect(pushed.body['error']).to.equal('invalid_target');
      const cc = await post('/oauth2/token', new URLSearchParams([['grant_type', 'client_credentials'], ['resource', value]]).toString());
      expect(cc.status).to.equal(400);
      expect(cc.body['error']).to.equal('invalid_target');
    });
  }

  it('refuses a resource that is not among the client\'s audiences (invalid_target), and keeps `audience`\'s invalid_request', async () => {
    const unknown = 'https://unknown.api.test/';
    const to = await refusedAtAuthorize([['resource', unknown]]);
    expect(to.searchParams.get('error')).to.equal('invalid_target');
    expect(to.searchParams.get('error_description')).to.include(unknown);
    // An audience that is allowed but no URI is still no resource indicator.
    expect((await refusedAtAuthorize([['resource', LEGACY]])).searchParams.get('error')).to.equal('invalid_target');
    expect((await refusedAtAuthorize([['audience', unknown]])).searchParams.get('error')).to.equal('invalid_request');
    invalidTarget(await oidc.clientCredentialsGrant(config, { resource: unknown }).catch((err: unknown) => err));
  });

  it('client_credentials: resource selects allowed audiences, alone, repeated, or with `audience` (the union)', async () => {
    const one = await oidc.clientCredentialsGrant(config, { resource: API_C });
    expect(await audOf(one.access_token)).to.deep.equal([API_C]);
    const two = await oidc.clientCredentialsGrant(config, new URLSearchParams([['resource', API_A], ['resource', API_B]]));
    expect(await audOf(two.access_token)).to.deep.equal([API_A, API_B]);
    const union = await oidc.clientCredentialsGrant(config, new URLSearchParams([['audience', LEGACY], ['resource', API_A], ['audience', API_A]]));
    expect(await audOf(union.access_token)).to.deep.equal([LEGACY, API_A]);
  });

  it('reads repeated resources alike on the fast lane and through koa (a path the lane does not take)', async () => {
    const body = new URLSearchParams([['grant_type', 'client_credentials'], ['resource', API_B], ['resource', API_C]]).toString();
    for (const path of ['/oauth2/token', '/oauth2/token/']) {
      const res = await post(path, body);
      expect(res.status, `${path}: ${res.text}`).to.equal(200);
      expect(await audOf(String(res.body['access_token'])), path).to.deep.equal([API_B, API_C]);
      const bad = await post(path, `${body}&resource=${encodeURIComponent('#x')}`);
      expect(bad.body['error'], path).to.equal('invalid_target');
    }
  });

  it('device flow: resource requested at /oauth2/device/auth, narrowed when polling', async () => {
    const started = await deviceAuth(h.t, client, { scope: 'offline_access', resource: API_A, audience: API_B });
    expect(started.status, started.text).to.equal(200);
    const done = await approve(new Browser(), h.t, started.body.user_code);
    expect(done.status, done.body).to.equal(302);
    const poll = (resource: string) =>
      post('/oauth2/token', new URLSearchParams({ grant_type: DEVICE_GRANT, device_code: started.body.device_code, resource }).toString());
    expect((await poll('https://unknown.api.test/')).body['error']).to.equal('invalid_target');
    const tokens = await poll(API_B);
    expect(tokens.status, tokens.text).to.equal(200);
    expect(await audOf(String(tokens.body['access_token']))).to.deep.equal([API_B]);
    expect(await audOf(String(tokens.body['refresh_token']))).to.deep.equal([API_B, API_A]);
    expect((await deviceAuth(h.t, client, { resource: 'relative' })).body.error).to.equal('invalid_target');
  });

  it('jwt-bearer: resource selects allowed audiences as with client_credentials; a refused one does not spend the assertion', async () => {
    const trusted = await trustedIssuer(h.t.adminUrl, `${h.t.config.urls.self.issuer}/oauth2/token`, { issuer: 'https://issuer.resource.test', subject: 'alice', scope: [] });
    const assertion = await trusted.assertion();
    const grant = (resource: string) => post('/oauth2/token', new URLSearchParams({ grant_type: JWT_BEARER, assertion, resource }).toString());
    expect((await grant('https://unknown.api.test/')).body['error']).to.equal('invalid_target');
    const ok = await grant(API_B);
    expect(ok.status, ok.text).to.equal(200);
    expect(await introspect(String(ok.body['access_token']))).to.deep.include({ sub: 'alice', aud: [API_B] });
  });
});
