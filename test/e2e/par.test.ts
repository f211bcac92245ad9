import { expect } from 'chai';
import * as oidc from 'openid-client';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera } from '../helpers/tessera.js';
import { basic, createClient, type CreatedClient } from '../helpers/clients.js';
import { Browser } from '../helpers/browser.js';
import { acceptLogin, challengeOf, FLOW_URLS, runFlow } from '../helpers/flow.js';
import { request } from '../helpers/http.js';

/*
 * Issue 17 item 1: pushed authorization requests (RFC 9126), an extension in
 * Hydra's style. openid-client's buildAuthorizationUrlWithPAR is the client.
 */

const REDIRECT = 'http://127.0.0.1:9999/callback';
const STATE = 'state-0123456789';
const PREFIX = 'urn:ietf:params:oauth:request_uri:';

/** A clock the suite moves: the request_uri's lifetime without sleeping. */
const clock = { offset: 0, now: () => Date.now() + clock.offset };

describeEachBackend('pushed authorization requests (RFC 9126)', (backend) => {
  const h = useTessera(backend, { ...FLOW_URLS, oauth2: { pushed_authorization_requests: { ttl: '90s' } } }, { clock });
  let client: CreatedClient;
  let strict: CreatedClient;
  let config: oidc.Configuration;

  before(async () => {
    client = await createClient(h.t.adminUrl, { redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'], scope: 'openid offline_access email' });
    strict = await createClient(h.t.adminUrl, { redirect_uris: [REDIRECT], scope: 'openid', require_pushed_authorization_requests: true });
    config = await oidc.discovery(new URL(h.t.config.urls.self.issuer), client.client_id, undefined, oidc.ClientSecretBasic(client.client_secret), {
      execute: [oidc.allowInsecureRequests],
    });
  });
  afterEach(() => {
    clock.offset = 0;
  });

  /** POST /oauth2/par with Basic authentication. */
  const push = (c: CreatedClient, params: Record<string, string>, auth = basic(c.client_id, c.client_secret)) =>
    request<Record<string, unknown>>(h.t.publicUrl, 'POST', '/oauth2/par', {
      body: new URLSearchParams(params).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
    });
  const authParams = (extra: Record<string, string> = {}) => ({ response_type: 'code', redirect_uri: REDIRECT, scope: 'openid', state: STATE, ...extra });
  const authorizeWith = (clientId: string, requestUri: string, extra: Record<string, string> = {}) =>
    new Browser().get(`${h.t.publicUrl}/oauth2/auth?${new URLSearchParams({ client_id: clientId, request_uri: requestUri, ...extra })}`);

  it('is advertised in discovery, and not required by default', async () => {
    const res = await request<Record<string, unknown>>(h.t.publicUrl, 'GET', '/.well-known/openid-configuration');
    expect(res.body).to.include({ pushed_authorization_request_endpoint: `${h.t.config.urls.self.issuer}/oauth2/par`, require_pushed_authorization_requests: false });
  });

  it('runs a code flow that openid-client starts with buildAuthorizationUrlWithPAR', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const url = await oidc.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: REDIRECT,
      scope: 'openid offline_access email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
      state: STATE,
    });
    expect([...url.searchParams.keys()].sort()).to.deep.equal(['client_id', 'request_uri']);
    expect(url.searchParams.get('request_uri')).to.match(new RegExp(`^${PREFIX}`));
    const callback = await runFlow(new Browser(), h.t.adminUrl, url.href, { login: { subject: 'alice' } });
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: STATE, idTokenExpected: true });
    expect(tokens.claims()?.sub).to.equal('alice');
    expect(tokens.refresh_token).to.match(/^ory_rt_/);
  });

  it('answers 201 with request_uri and expires_in, no-store', async () => {
    const res = await push(client, authParams());
    expect(res.status, res.text).to.equal(201);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    expect(res.body['expires_in']).to.equal(90);
    expect(String(res.body['request_uri'])).to.match(/^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/);
  });

  it('runs from the pushed parameters only, and shows the login app the request_uri, not them', async () => {
    const pushed = await push(client, authParams({ scope: 'openid email', login_hint: 'alice@example.com' }));
    const start = await authorizeWith(client.client_id, String(pushed.body['request_uri']), { scope: 'openid offline_access', login_hint: 'mallory' });
    expect(start.status, start.body).to.equal(302);
    const challenge = challengeOf(start.location, 'login_challenge');
    const login = await request<{ requested_scope: string[]; request_url: string; oidc_context: { login_hint?: string } }>(
      h.t.adminUrl,
      'GET',
      `/admin/oauth2/auth/requests/login?login_challenge=${encodeURIComponent(challenge)}`,
    );
    expect(login.body.requested_scope).to.deep.equal(['openid', 'email']);
    expect(login.body.oidc_context.login_hint).to.equal('alice@example.com');
    const requestUrl = new URL(login.body.request_url);
    expect([...requestUrl.searchParams.keys()].sort()).to.deep.equal(['client_id', 'request_uri']);
  });

  it('takes a request_uri once; a second use, another client\'s use and an expired one are shown as invalid_request_uri', async () => {
    const uri = String((await push(client, authParams())).body['request_uri']);
    expect((await authorizeWith(client.client_id, uri)).status).to.equal(302);
    const again = await authorizeWith(client.client_id, uri);
    expect(again.status).to.equal(400);
    expect(again.location).to.equal(undefined);
    expect(JSON.parse(again.body).error).to.equal('invalid_request_uri');

    const other = String((await push(client, authParams())).body['request_uri']);
    expect(JSON.parse((await authorizeWith(strict.client_id, other)).body).error).to.equal('invalid_request_uri');
    expect((await authorizeWith(client.client_id, other)).status, 'the failed attempt did not spend it').to.equal(302);

    const late = String((await push(client, authParams())).body['request_uri']);
    clock.offset = 91_000;
    expect(JSON.parse((await authorizeWith(client.client_id, late)).body).error).to.equal('invalid_request_uri');
  });

  it('redirects request_uri_not_supported for a request_uri that is not a pushed one, and shows a pushed one without client_id', async () => {
    // A request object by reference is not served: refused like any bad parameter, to the client's redirect_uri.
    const byReference = await authorizeWith(client.client_id, 'https://client.example/request.jwt', { response_type: 'code', state: STATE });
    expect(new URL(byReference.location ?? '').searchParams.get('error')).to.equal('request_uri_not_supported');
    const bare = await new Browser().get(`${h.t.publicUrl}/oauth2/auth?request_uri=${encodeURIComponent(`${PREFIX}x`)}`);
    expect(JSON.parse(bare.body).error).to.equal('invalid_request');
  });

  describe('errors at the endpoint are JSON, never redirects, and store nothing', () => {
    const cases: Array<[string, Record<string, string>, number, string]> = [
      ['an unregistered redirect_uri', authParams({ redirect_uri: 'https://attacker.example/cb' }), 400, 'invalid_request'],
      ['an unknown response_type', authParams({ response_type: 'bogus' }), 400, 'unsupported_response_type'],
      ['a scope the client may not have', authParams({ scope: 'openid admin' }), 400, 'invalid_scope'],
      ['request_uri inside the pushed request (RFC 9126 §2.1)', authParams({ request_uri: `${PREFIX}abc` }), 400, 'invalid_request'],
      ['a client_id that is not the authenticated client', authParams({ client_id: 'someone-else' }), 400, 'invalid_request'],
    ];
    for (const [what, params, status, error] of cases) {
      it(what, async () => {
        const res = await push(client, params);
        expect(res.status, res.text).to.equal(status);
        expect(res.body['error']).to.equal(error);
        expect(res.headers.get('location')).to.equal(null);
      });
    }
    it('a wrong secret: 401 invalid_client', async () => {
      const res = await push(client, authParams(), basic(client.client_id, 'wrong'));
      expect(res.status).to.equal(401);
      expect(res.body['error']).to.equal('invalid_client');
    });
  });

  it('a public client pushes with client_id alone (and PKCE)', async () => {
    const spa = await createClient(h.t.adminUrl, { redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', scope: 'openid' });
    const res = await request<Record<string, unknown>>(h.t.publicUrl, 'POST', '/oauth2/par', {
      body: new URLSearchParams({ client_id: spa.client_id, ...authParams({ code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }) }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status, res.text).to.equal(201);
    expect((await authorizeWith(spa.client_id, String(res.body['request_uri']))).status).to.equal(302);
  });

  it('a client registered with require_pushed_authorization_requests gets an error redirect without PAR, a flow with it', async () => {
    const direct = await new Browser().get(`${h.t.publicUrl}/oauth2/auth?${new URLSearchParams({ client_id: strict.client_id, ...authParams() })}`);
    const location = new URL(direct.location ?? '');
    expect(location.searchParams.get('error')).to.equal('invalid_request');
    expect(location.searchParams.get('error_description')).to.include('/oauth2/par');
    const uri = String((await push(strict, authParams())).body['request_uri']);
    const browser = new Browser();
    const start = await browser.get(`${h.t.publicUrl}/oauth2/auth?${new URLSearchParams({ client_id: strict.client_id, request_uri: uri })}`);
    const afterLogin = await browser.get(await acceptLogin(h.t.adminUrl, challengeOf(start.location, 'login_challenge')));
    expect(afterLogin.location, 'the login verifier hop does not ask for PAR again').to.include('consent_challenge=');
  });
});

describeEachBackend('pushed authorization requests required for every client', (backend) => {
  const h = useTessera(backend, { ...FLOW_URLS, oauth2: { pushed_authorization_requests: { required: true } } });

  it('says so in discovery and refuses a plain authorization request', async () => {
    const res = await request<Record<string, unknown>>(h.t.publicUrl, 'GET', '/.well-known/openid-configuration');
    expect(res.body['require_pushed_authorization_requests']).to.equal(true);
    const c = await createClient(h.t.adminUrl, { redirect_uris: [REDIRECT], scope: 'openid' });
    const direct = await new Browser().get(`${h.t.publicUrl}/oauth2/auth?${new URLSearchParams({ client_id: c.client_id, response_type: 'code', redirect_uri: REDIRECT, scope: 'openid', state: STATE })}`);
    expect(new URL(direct.location ?? '').searchParams.get('error')).to.equal('invalid_request');
  });
});
