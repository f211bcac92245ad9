import { createHash, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describeEachBackend } from '../../helpers/databases.js';
import { useTessera, type Running } from '../../helpers/tessera.js';
import { request, type Answer } from '../../helpers/http.js';
import { basic, createClient, form, type CreatedClient } from '../../helpers/clients.js';
import { FLOW_URLS } from '../../helpers/flow.js';
import { authorize, codeParams } from '../../e2e/tokens-helpers.js';

/*
 * CORS on the public port with Hydra's semantics (http/cors.ts, README
 * "CORS"): the global allowed_origins on every CORS endpoint, a client's
 * allowed_cors_origins at the token and revocation endpoints (the client the
 * request names) and at userinfo (the bearer token's client), nothing for
 * any other origin, nothing on the admin port, nothing while disabled.
 */

const GLOBAL = 'https://spa.example';
const CLIENT_ORIGIN = 'https://client-spa.example';
const OTHER = 'https://evil.example';
const REDIRECT = 'http://127.0.0.1:9999/callback';
const CORS_CONFIG = { serve: { public: { cors: { enabled: true, allowed_origins: [GLOBAL], max_age: 600 } } } };

const corsHeaders = (answer: Answer): string[] => [...answer.headers.keys()].filter((name) => name.startsWith('access-control-'));

function expectAllowed(answer: Answer, origin: string, what: string, preflight = false): void {
  expect(answer.headers.get('access-control-allow-origin'), what).to.equal(origin);
  expect(answer.headers.get('access-control-allow-credentials'), what).to.equal('true');
  // Exposed headers concern the actual answer only (Fetch §3.2.3).
  if (preflight) expect(answer.headers.get('access-control-expose-headers'), what).to.equal(null);
  else expect(answer.headers.get('access-control-expose-headers'), what).to.include('Cache-Control');
  expect(answer.headers.get('vary'), what).to.match(/\bOrigin\b/);
}

function expectNone(answer: Answer, what: string): void {
  expect(corsHeaders(answer), what).to.deep.equal([]);
}

const GETS = ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/.well-known/jwks.json', '/userinfo'];
const ALL = [...GETS, '/oauth2/token', '/oauth2/revoke'];

describeEachBackend('CORS on the public port', (backend) => {
  const harness = useTessera(backend, { ...FLOW_URLS, ...CORS_CONFIG });
  let t: Running;
  let spa: CreatedClient;
  let service: CreatedClient;

  before(async () => {
    t = harness.t;
    spa = await createClient(t.adminUrl, {
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      redirect_uris: [REDIRECT],
      scope: 'openid',
      allowed_cors_origins: [CLIENT_ORIGIN],
    });
    service = await createClient(t.adminUrl, { grant_types: ['client_credentials'], scope: 'read', allowed_cors_origins: [CLIENT_ORIGIN] });
  });

  const post = (path: string, params: Record<string, string>, headers: Record<string, string>) =>
    request(t.publicUrl, 'POST', path, { body: form(params).body, headers: { ...form({}).headers, ...headers } });

  it('a globally allowed origin gets its CORS headers on discovery, JWKS and userinfo, failures included', async () => {
    for (const path of GETS) {
      const answer = await request(t.publicUrl, 'GET', path, { headers: { origin: GLOBAL } });
      expectAllowed(answer, GLOBAL, path);
    }
    const userinfo = await request(t.publicUrl, 'GET', '/userinfo', { headers: { origin: GLOBAL } });
    expect(userinfo.status).to.equal(401);
  });

  it('another origin, or a client-allowed origin where no client is named, gets no CORS headers and the same answer', async () => {
    for (const path of GETS) {
      for (const origin of [OTHER, CLIENT_ORIGIN, 'null']) {
        const answer = await request(t.publicUrl, 'GET', path, { headers: { origin } });
        const plain = await request(t.publicUrl, 'GET', path);
        expectNone(answer, `${path} ${origin}`);
        expect(answer.status, path).to.equal(plain.status);
        expect(answer.headers.get('vary'), path).to.match(/\bOrigin\b/);
      }
    }
  });

  it('a request without Origin gets Vary: Origin and no CORS headers', async () => {
    for (const path of GETS) expectNone(await request(t.publicUrl, 'GET', path), path);
    const tokenAnswer = await post('/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic(service.client_id, service.client_secret) });
    expect(tokenAnswer.status).to.equal(200);
    expectNone(tokenAnswer, 'token');
    expect(tokenAnswer.headers.get('vary')).to.equal('Origin');
  });

  it('the token endpoint allows the origins of the client named by Basic, answers and errors alike', async () => {
    const ok = await post('/oauth2/token', { grant_type: 'client_credentials' }, { origin: CLIENT_ORIGIN, authorization: basic(service.client_id, service.client_secret) });
    expect(ok.status, ok.text).to.equal(200);
    expectAllowed(ok, CLIENT_ORIGIN, 'token');
    const wrong = await post('/oauth2/token', { grant_type: 'client_credentials' }, { origin: CLIENT_ORIGIN, authorization: basic(service.client_id, 'wrong') });
    expect(wrong.status).to.equal(401);
    expectAllowed(wrong, CLIENT_ORIGIN, 'token, wrong secret');
    const other = await post('/oauth2/token', { grant_type: 'client_credentials' }, { origin: OTHER, authorization: basic(service.client_id, service.client_secret) });
    expect(other.status).to.equal(200);
    expectNone(other, 'token, other origin');
    const unknown = await post('/oauth2/token', { grant_type: 'client_credentials' }, { origin: CLIENT_ORIGIN, authorization: basic('no-such-client', 'x') });
    expectNone(unknown, 'token, unknown client');
  });

  it('a public client named by client_id completes a PKCE code exchange and userinfo from its own origin', async () => {
    const issued = await authorize(t, spa.client_id, { scope: 'openid', redirectUri: REDIRECT });
    const ok = await post('/oauth2/token', { ...codeParams(issued), client_id: spa.client_id }, { origin: CLIENT_ORIGIN });
    expect(ok.status, ok.text).to.equal(200);
    expectAllowed(ok, CLIENT_ORIGIN, 'code exchange');
    // Userinfo names its client through the bearer token (Hydra's oauth2cors): the same origins apply.
    const bearer = { authorization: `Bearer ${String((ok.body as Record<string, unknown>)['access_token'])}` };
    const info = await request(t.publicUrl, 'GET', '/userinfo', { headers: { ...bearer, origin: CLIENT_ORIGIN } });
    expect(info.status, info.text).to.equal(200);
    expectAllowed(info, CLIENT_ORIGIN, 'userinfo, the token’s client origin');
    expectNone(await request(t.publicUrl, 'GET', '/userinfo', { headers: { ...bearer, origin: OTHER } }), 'userinfo, another origin');
    expectNone(await request(t.publicUrl, 'GET', '/userinfo', { headers: { authorization: 'Bearer ory_at_forged', origin: CLIENT_ORIGIN } }), 'userinfo, no such token');
    // A used code (which also revokes what it issued, RFC 6749 §4.1.2).
    const again = await post('/oauth2/token', { ...codeParams(issued), client_id: spa.client_id }, { origin: CLIENT_ORIGIN });
    expect(again.body).to.include({ error: 'invalid_grant' });
    expectAllowed(again, CLIENT_ORIGIN, 'a used code: the page can read invalid_grant');
    const elsewhere = await post('/oauth2/token', { ...codeParams(issued), client_id: spa.client_id }, { origin: OTHER });
    expectNone(elsewhere, 'another origin');
  });

  it('a DPoP request to userinfo names its client like a Bearer one (RFC 9449 §7.1), and DPoP-Nonce is exposed', async () => {
    const pair = await generateKeyPair('ES256');
    const jwk = await exportJWK(pair.publicKey);
    const proof = (htm: string, htu: string, token?: string) =>
      new SignJWT({ jti: randomUUID(), htm, htu, iat: Math.floor(Date.now() / 1000), ...(token ? { ath: createHash('sha256').update(token).digest('base64url') } : {}) })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
        .sign(pair.privateKey);
    const issued = await post('/oauth2/token', { grant_type: 'client_credentials' }, {
      origin: CLIENT_ORIGIN,
      authorization: basic(service.client_id, service.client_secret),
      dpop: await proof('POST', `${t.config.urls.self.issuer}/oauth2/token`),
    });
    expect(issued.body).to.include({ token_type: 'DPoP' });
    expect(issued.headers.get('access-control-expose-headers')).to.include('DPoP-Nonce');
    const token = String((issued.body as Record<string, unknown>)['access_token']);
    // The service's token has no openid scope: 403, with the client's CORS headers all the same.
    const info = await request(t.publicUrl, 'GET', '/userinfo', { headers: { authorization: `DPoP ${token}`, dpop: await proof('GET', `${t.config.urls.self.issuer}/userinfo`, token), origin: CLIENT_ORIGIN } });
    expect(info.status, info.text).to.equal(403);
    expectAllowed(info, CLIENT_ORIGIN, 'userinfo with the DPoP scheme');
  });

  it('the revocation endpoint allows the client origins too; the global origin everywhere', async () => {
    const mine = await post('/oauth2/revoke', { token: 'ory_at_unknown', client_id: spa.client_id }, { origin: CLIENT_ORIGIN });
    expect(mine.status, mine.text).to.equal(200);
    expectAllowed(mine, CLIENT_ORIGIN, 'revoke');
    expectNone(await post('/oauth2/revoke', { token: 'x', client_id: spa.client_id }, { origin: OTHER }), 'revoke, other origin');
    const global = await post('/oauth2/revoke', { token: 'x' }, { origin: GLOBAL });
    expect(global.status).to.equal(401);
    expectAllowed(global, GLOBAL, 'revoke, global origin, no client');
  });

  it('answers preflights with the allowed methods, headers (Authorization, Content-Type, DPoP) and max age', async () => {
    for (const path of ALL) {
      const answer = await request(t.publicUrl, 'OPTIONS', path, {
        headers: { origin: GLOBAL, 'access-control-request-method': path.startsWith('/oauth2') ? 'POST' : 'GET', 'access-control-request-headers': 'authorization, content-type, dpop' },
      });
      expect(answer.status, path).to.equal(204);
      expectAllowed(answer, GLOBAL, path, true);
      expect(answer.headers.get('access-control-allow-methods'), path).to.include('POST').and.include('GET');
      expect(answer.headers.get('access-control-allow-headers'), path).to.include('Authorization').and.include('Content-Type').and.include('DPoP');
      expect(answer.headers.get('access-control-max-age'), path).to.equal('600');
      expect(answer.headers.get('vary'), path).to.include('Access-Control-Request-Headers');
    }
  });

  it('refuses preflights for other origins (bar the client endpoints, as Hydra), methods and headers it does not allow', async () => {
    const preflight = (path: string, origin: string, method = 'GET', headers = 'authorization') =>
      request(t.publicUrl, 'OPTIONS', path, { headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers } });
    for (const path of GETS.filter((p) => p !== '/userinfo')) expectNone(await preflight(path, OTHER), path);
    expectNone(await preflight('/userinfo', GLOBAL, 'GET', 'x-custom'), 'a header not allowed');
    expectNone(await preflight('/userinfo', GLOBAL, 'FETCH'), 'a method not allowed');
    // A preflight carries no credentials: the token endpoint cannot know the client, so it lets any origin send
    // the request and decides on the answer (the tests above), as Hydra's oauth2cors does.
    for (const path of ['/oauth2/token', '/oauth2/revoke', '/userinfo']) {
      const answer = await preflight(path, OTHER, 'POST', 'authorization, dpop');
      expect(answer.headers.get('access-control-allow-origin'), path).to.equal(OTHER);
    }
  });

  it('the authorization and logout endpoints send none, even to the global origin (RFC 9700 §2.6)', async () => {
    for (const path of ['/oauth2/auth', '/oauth2/sessions/logout', '/health/alive']) {
      expectNone(await request(t.publicUrl, 'GET', `${path}?client_id=${spa.client_id}`, { headers: { origin: GLOBAL } }), path);
      expectNone(await request(t.publicUrl, 'OPTIONS', path, { headers: { origin: GLOBAL, 'access-control-request-method': 'GET' } }), `OPTIONS ${path}`);
    }
  });

  it('the admin port never sends CORS headers', async () => {
    for (const [method, path] of [['GET', '/admin/clients'], ['OPTIONS', '/admin/clients'], ['POST', '/admin/oauth2/introspect'], ['GET', '/health/alive']] as const) {
      const answer = await request(t.adminUrl, method, path, { headers: { origin: GLOBAL, 'access-control-request-method': 'GET' }, ...(method === 'POST' ? form({ token: 'x' }) : {}) });
      expectNone(answer, `${method} ${path}`);
    }
  });
});

describeEachBackend('CORS disabled (the default, as in Hydra)', (backend) => {
  const harness = useTessera(backend, { serve: { public: { cors: { allowed_origins: [GLOBAL] } } } });

  it('sends no CORS headers, not even for a client’s allowed_cors_origins, and routes no preflight', async () => {
    const { t } = harness;
    const client = await createClient(t.adminUrl, { grant_types: ['client_credentials'], allowed_cors_origins: [CLIENT_ORIGIN] });
    const token = await request(t.publicUrl, 'POST', '/oauth2/token', {
      body: form({ grant_type: 'client_credentials' }).body,
      headers: { ...form({}).headers, origin: CLIENT_ORIGIN, authorization: basic(client.client_id, client.client_secret) },
    });
    expect(token.status).to.equal(200);
    expectNone(token, 'token');
    expect(token.headers.get('vary')).to.equal(null);
    for (const path of ALL) {
      expectNone(await request(t.publicUrl, 'GET', path, { headers: { origin: GLOBAL } }), path);
      const preflight = await request(t.publicUrl, 'OPTIONS', path, { headers: { origin: GLOBAL, 'access-control-request-method': 'POST' } });
      expect(preflight.status, path).to.not.equal(204);
      expectNone(preflight, `OPTIONS ${path}`);
    }
  });
});
