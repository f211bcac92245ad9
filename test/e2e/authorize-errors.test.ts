import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { describeEachBackend, type Database } from '../helpers/databases.js';
import { startTessera, type Running } from '../helpers/tessera.js';
import { createClient, form, type CreatedClient } from '../helpers/clients.js';
import { FLOW_URLS, LOGIN_URL } from '../helpers/flow.js';
import { request, type Answer } from '../helpers/http.js';

/*
 * /oauth2/auth once client and redirect_uri are trusted: every error goes back
 * to the client (RFC 6749 §4.1.2.1) with state and iss (RFC 9207), and the
 * checks of RFC 6749 §4.1.1, OIDC Core §3.1.2.1/§6, RFC 7636 and RFC 9700
 * §2.1.1 hold. Also the parameter rules of RFC 6749 §3.1 (no repeats,
 * unknown ones ignored) and POST (oidcc-ensure-post-request-succeeds).
 */

const REDIRECT = 'https://client.example/cb';
const AUDIENCE = 'https://api.example.com';
const STATE = 'state-0123456789';
const VERIFIER = 'v'.repeat(43) + '-authorize-errors';
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');

type Json = { error?: string; error_description?: string };

function authorize(t: Running, params: Record<string, string>): Promise<Answer<Json>> {
  return request<Json>(t.publicUrl, 'GET', `/oauth2/auth?${new URLSearchParams(params).toString()}`);
}

function build(client: CreatedClient, overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const params: Record<string, string | undefined> = {
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid',
    state: STATE,
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
}

function expectLogin(res: Answer<Json>): void {
  expect(res.status, res.text).to.equal(302);
  const location = new URL(res.headers.get('location') ?? '');
  expect(`${location.origin}${location.pathname}`).to.equal(LOGIN_URL);
  expect(location.searchParams.get('login_challenge')).to.be.a('string').and.not.equal('');
}

/** An error redirected to the client: error, a description, state as sent, iss; in the query, never a fragment. */
function expectRedirected(t: Running, res: Answer<Json>, error: string, state: string | null = STATE): URLSearchParams {
  expect(res.status, res.text).to.equal(302);
  const raw = res.headers.get('location') ?? '';
  expect(raw).not.to.include('#');
  const location = new URL(raw);
  expect(`${location.origin}${location.pathname}`).to.equal(REDIRECT);
  const params = location.searchParams;
  expect(params.get('error'), raw).to.equal(error);
  expect(params.get('error_description'), raw).to.be.a('string').and.not.equal('');
  expect(params.get('state'), raw).to.equal(state);
  expect(params.get('iss'), raw).to.equal(t.config.urls.self.issuer);
  expect(params.get('code'), raw).to.equal(null);
  return params;
}

describeEachBackend('/oauth2/auth: request validation', (backend) => {
  let db: Database;
  let t: Running;
  let confidential: CreatedClient;
  let publicClient: CreatedClient;

  before(async () => {
    db = await backend.create();
    t = await startTessera(db, FLOW_URLS);
    confidential = await createClient(t.adminUrl, { redirect_uris: [REDIRECT], scope: 'openid offline_access profile', audience: [AUDIENCE] });
    publicClient = await createClient(t.adminUrl, { redirect_uris: [REDIRECT], scope: 'openid', token_endpoint_auth_method: 'none' });
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  describe('valid requests (the controls for the error cases)', () => {
    it('goes to the login app for a complete request', async () => {
      expectLogin(await authorize(t, build(confidential, { scope: 'openid profile', audience: AUDIENCE, nonce: 'nonce-0123456789' })));
    });

    it('lets a confidential client go without PKCE when it sends state (pkce.enforced is off)', async () => {
      expectLogin(await authorize(t, build(confidential, { code_challenge: undefined, code_challenge_method: undefined })));
    });

    it('lets a PKCE request go without state (RFC 9700 §2.1)', async () => {
      expectLogin(await authorize(t, build(confidential, { state: undefined })));
    });

    it('lets a public client go with PKCE', async () => {
      expectLogin(await authorize(t, build(publicClient)));
    });

    it('accepts state and nonce of exactly 8 characters', async () => {
      expectLogin(await authorize(t, build(confidential, { state: '12345678', nonce: '12345678' })));
    });

    it('accepts response_mode=query and the known prompt values', async () => {
      expectLogin(await authorize(t, build(confidential, { response_mode: 'query' })));
      expectLogin(await authorize(t, build(confidential, { prompt: 'login consent' })));
      expectLogin(await authorize(t, build(confidential, { max_age: '0' })));
    });
  });

  const redirected: ReadonlyArray<[string, Record<string, string | undefined>, string]> = [
    ['response_type is missing', { response_type: undefined }, 'invalid_request'],
    ['response_type is unknown', { response_type: 'bogus' }, 'unsupported_response_type'],
    ['response_type repeats a part', { response_type: 'code code' }, 'unsupported_response_type'],
    ['scope is not allowed for the client', { scope: 'openid admin' }, 'invalid_scope'],
    ['audience is not allowed for the client', { audience: 'https://evil.example' }, 'invalid_request'],
    ['code_challenge_method is plain (RFC 9700 §2.1.1)', { code_challenge: VERIFIER, code_challenge_method: 'plain' }, 'invalid_request'],
    ['code_challenge has no method (RFC 7636 §4.3 defaults to plain)', { code_challenge_method: undefined }, 'invalid_request'],
    ['code_challenge_method is unknown', { code_challenge_method: 'S512' }, 'invalid_request'],
    ['code_challenge is too short', { code_challenge: 'too-short-challenge' }, 'invalid_request'],
    ['code_challenge has characters outside RFC 7636 §4.2', { code_challenge: `${CHALLENGE.slice(0, 42)}+/=` }, 'invalid_request'],
    ['code_challenge_method comes without code_challenge', { code_challenge: undefined }, 'invalid_request'],
    ['nonce is shorter than 8 characters', { nonce: 'short' }, 'invalid_request'],
    ['prompt=none is combined with another value', { prompt: 'none login' }, 'invalid_request'],
    ['prompt has an unknown value', { prompt: 'bogus' }, 'invalid_request'],
    ['max_age is negative', { max_age: '-1' }, 'invalid_request'],
    ['max_age is not a number', { max_age: 'abc' }, 'invalid_request'],
    ['a request object is sent', { request: 'eyJhbGciOiJub25lIn0.eyJzdGF0ZSI6IngifQ.' }, 'request_not_supported'],
    ['a request_uri is sent', { request_uri: 'https://client.example/request.jwt' }, 'request_uri_not_supported'],
    ['response_mode is unknown (query.jwt: JARM is not served)', { response_mode: 'query.jwt' }, 'unsupported_response_mode'],
    ['id_token_hint is garbage', { id_token_hint: 'not-a-jwt' }, 'invalid_request'],
    ['id_token_hint is a JWT this server did not sign', { id_token_hint: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.' }, 'invalid_request'],
  ];
  for (const [what, overrides, error] of redirected) {
    it(`redirects ${error} with state and iss when ${what}`, async () => {
      expectRedirected(t, await authorize(t, build(confidential, overrides)), error);
    });
  }

  it('redirects invalid_request (state echoed) when state is shorter than 8 characters', async () => {
    expectRedirected(t, await authorize(t, build(confidential, { state: 'short' })), 'invalid_request', 'short');
  });

  it('redirects invalid_request without state when neither state nor PKCE is sent', async () => {
    expectRedirected(t, await authorize(t, build(confidential, { state: undefined, code_challenge: undefined, code_challenge_method: undefined })), 'invalid_request', null);
  });

  it('requires PKCE from a public client (token_endpoint_auth_method none) by default', async () => {
    const params = expectRedirected(t, await authorize(t, build(publicClient, { code_challenge: undefined, code_challenge_method: undefined })), 'invalid_request');
    expect(params.get('error_description')).to.match(/PKCE|code_challenge/);
  });

  describe('parameters (RFC 6749 §3.1)', () => {
    for (const name of ['scope', 'redirect_uri', 'state', 'client_id', 'response_type']) {
      it(`shows 400 invalid_request when ${name} appears twice`, async () => {
        const query = new URLSearchParams(build(confidential));
        query.append(name, name === 'redirect_uri' ? 'https://attacker.example/cb' : query.get(name) ?? 'x');
        const res = await request<Json>(t.publicUrl, 'GET', `/oauth2/auth?${query.toString()}`);
        expect(res.status, res.text).to.equal(400);
        expect(res.headers.get('location')).to.equal(null);
        expect(res.body.error).to.equal('invalid_request');
      });
    }

    it('ignores unknown parameters (oidcc-ensure-request-with-unknown-parameter-succeeds)', async () => {
      expectLogin(await authorize(t, build(confidential, { foo: 'bar', claims_locales: 'de', 'x-extension': '1' })));
    });
  });

  describe('POST /oauth2/auth', () => {
    function post(params: Record<string, string>): Promise<Answer<Json>> {
      const { body, headers } = form(params);
      return request<Json>(t.publicUrl, 'POST', '/oauth2/auth', { body, headers });
    }

    it('starts the flow from a form body like GET does', async () => {
      const res = await post(build(confidential, { login_hint: 'alice' }));
      expectLogin(res);
      const challenge = new URL(res.headers.get('location') ?? '').searchParams.get('login_challenge') ?? '';
      const login = await request<{ client: { client_id: string }; oidc_context: { login_hint?: string } }>(
        t.adminUrl,
        'GET',
        `/admin/oauth2/auth/requests/login?login_challenge=${encodeURIComponent(challenge)}`,
      );
      expect(login.status, login.text).to.equal(200);
      expect(login.body.client.client_id).to.equal(confidential.client_id);
      expect(login.body.oidc_context.login_hint).to.equal('alice');
    });

    it('redirects errors found in a form body like GET does', async () => {
      expectRedirected(t, await post(build(confidential, { response_type: 'bogus' })), 'unsupported_response_type');
    });

    it('shows a bad redirect_uri in a form body, never redirecting', async () => {
      const res = await post(build(confidential, { redirect_uri: 'https://attacker.example/cb' }));
      expect(res.status, res.text).to.equal(400);
      expect(res.headers.get('location')).to.equal(null);
    });

    it('refuses a repeated parameter in a form body', async () => {
      const body = `${new URLSearchParams(build(confidential)).toString()}&scope=openid`;
      const res = await request<Json>(t.publicUrl, 'POST', '/oauth2/auth', { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(res.status, res.text).to.equal(400);
      expect(res.body.error).to.equal('invalid_request');
    });
  });

  describe('with oauth2.pkce.enforced', () => {
    let p: Running;
    let pDb: Database;
    let client: CreatedClient;

    before(async () => {
      pDb = await backend.create();
      p = await startTessera(pDb, { ...FLOW_URLS, oauth2: { pkce: { enforced: true } } });
      client = await createClient(p.adminUrl, { redirect_uris: [REDIRECT], scope: 'openid' });
    });
    after(async () => {
      await p?.stop();
      await pDb?.drop();
    });

    it('refuses a confidential client without PKCE', async () => {
      expectRedirected(p, await authorize(p, build(client, { code_challenge: undefined, code_challenge_method: undefined })), 'invalid_request');
    });

    it('still accepts it with S256', async () => {
      expectLogin(await authorize(p, build(client)));
    });
  });
});
