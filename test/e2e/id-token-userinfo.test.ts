import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { describeEachBackend, type Database } from '../helpers/databases.js';
import { startTessera, type Running } from '../helpers/tessera.js';
import { createClient, form, type CreatedClient } from '../helpers/clients.js';
import { FLOW_URLS } from '../helpers/flow.js';
import { request, type Answer } from '../helpers/http.js';
import { introspect, obtainTokens, randomValue, revoke, type TokenBody } from './tokens-helpers.js';

/*
 * ID tokens (OIDC Core §2, §3.1.3.6/§3.1.3.7) checked with jose against the
 * published JWKS, userinfo (OIDC Core §5.3, RFC 6750), and introspection of
 * tokens from the code flow (RFC 7662 with Hydra's fields).
 */

const REDIRECT = 'http://127.0.0.1:9999/callback';
const API = 'https://api.example.com';
const ID_TOKEN_CLAIMS = { email: 'alice@example.com', name: 'Alice Liddell', email_verified: true };
/** Reserved claims a consent app might (wrongly or maliciously) put in session.id_token. */
const RESERVED_ATTEMPT = {
  sub: 'mallory',
  iss: 'https://evil.example',
  aud: ['evil'],
  exp: 4102444800,
  nonce: 'evil-nonce-0123',
  acr: 'urn:evil',
  sid: 'evil-sid',
};
const LOGIN = { subject: 'alice', acr: 'urn:acr:mfa', amr: ['pwd', 'otp'] };

async function jwks(t: Running): Promise<JSONWebKeySet> {
  const res = await request<JSONWebKeySet>(t.publicUrl, 'GET', '/.well-known/jwks.json');
  expect(res.status, res.text).to.equal(200);
  return res.body;
}

/** Verifies signature (RS256 only), iss and aud with jose; returns header and claims. */
async function verifyIdToken(t: Running, idToken: string, clientId: string, issuer = t.config.urls.self.issuer) {
  const set = await jwks(t);
  const { payload, protectedHeader } = await jwtVerify(idToken, createLocalJWKSet(set), { issuer, audience: clientId, algorithms: ['RS256'] });
  return { payload, protectedHeader, kids: set.keys.map((k) => k.kid) };
}

const atHash = (accessToken: string): string => createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16).toString('base64url');

describeEachBackend('ID tokens, userinfo and introspection', (backend) => {
  let db: Database;
  let t: Running;
  let client: CreatedClient;

  const login = (scope: string, extra: { nonce?: string; audience?: string[] } = {}): Promise<TokenBody> =>
    obtainTokens(t, client, {
      scope,
      redirectUri: REDIRECT,
      login: LOGIN,
      consent: { session: { id_token: { ...ID_TOKEN_CLAIMS, ...RESERVED_ATTEMPT }, access_token: { tier: 'gold', quota: 7 } } },
      ...extra,
    });

  before(async () => {
    db = await backend.create();
    t = await startTessera(db, FLOW_URLS);
    client = await createClient(t.adminUrl, {
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid offline_access email profile',
      audience: [API],
    });
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  describe('ID token', () => {
    it('verifies against the JWKS and carries the OIDC claims; reserved claims from the consent do not override', async () => {
      const nonce = randomValue();
      const before = Math.floor(Date.now() / 1000);
      const tokens = await login('openid email profile', { nonce });
      const after = Math.ceil(Date.now() / 1000);
      expect(tokens.id_token).to.be.a('string');
      const idToken = tokens.id_token ?? '';

      const { payload, protectedHeader, kids } = await verifyIdToken(t, idToken, client.client_id);
      expect(protectedHeader).to.include({ alg: 'RS256', typ: 'JWT' });
      expect(protectedHeader.kid).to.be.a('string').and.not.equal('');
      expect(kids).to.include(protectedHeader.kid);

      expect(payload.iss).to.equal(t.config.urls.self.issuer);
      expect(payload.aud).to.deep.equal([client.client_id]);
      expect(payload.sub).to.equal('alice');
      expect(payload.iat).to.be.a('number').within(before, after);
      expect(payload.exp).to.equal((payload.iat ?? 0) + 3600);
      const authTime = payload['auth_time'];
      expect(authTime).to.be.a('number').within(before - 1, payload.iat ?? 0);
      expect(payload['nonce']).to.equal(nonce);
      expect(payload['at_hash']).to.equal(atHash(tokens.access_token));
      expect(payload['sid']).to.be.a('string').and.not.equal('').and.not.equal(RESERVED_ATTEMPT.sid);
      expect(payload['acr']).to.equal(LOGIN.acr);
      expect(payload['amr']).to.deep.equal(LOGIN.amr);
      expect(payload).to.include(ID_TOKEN_CLAIMS);
    });

    it('omits nonce when the authorization request had none (nonce is optional in the code flow)', async () => {
      const tokens = await login('openid');
      const { payload } = await verifyIdToken(t, tokens.id_token ?? '', client.client_id);
      expect(payload).not.to.have.property('nonce');
      expect(payload.sub).to.equal('alice');
    });
  });

  describe('userinfo', () => {
    const userinfo = (method: 'GET' | 'POST', options: { bearer?: string; path?: string; body?: string } = {}): Promise<Answer<Record<string, unknown>>> =>
      request<Record<string, unknown>>(t.publicUrl, method, options.path ?? '/userinfo', {
        ...(options.body !== undefined ? { body: options.body } : {}),
        headers: {
          ...(options.bearer !== undefined ? { authorization: `Bearer ${options.bearer}` } : {}),
          ...(options.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
      });
    const expectBearerError = (res: Answer<Record<string, unknown>>, status: number, error: string, what: string) => {
      expect(res.status, `${what}: ${res.text}`).to.equal(status);
      expect(res.body['error'], what).to.equal(error);
      expect(res.headers.get('www-authenticate'), what).to.match(/^Bearer/);
    };

    let tokens: TokenBody;
    before(async () => {
      tokens = await login('openid offline_access email');
    });

    it('answers GET and POST with a Bearer header: sub and the consent\'s ID token claims, reserved ones left out', async () => {
      for (const method of ['GET', 'POST'] as const) {
        const res = await userinfo(method, { bearer: tokens.access_token });
        expect(res.status, `${method}: ${res.text}`).to.equal(200);
        expect(res.body, method).to.deep.equal({ sub: 'alice', ...ID_TOKEN_CLAIMS });
      }
    });

    it('answers 401 with a Bearer challenge when no token is sent', async () => {
      for (const method of ['GET', 'POST'] as const) {
        const res = await userinfo(method);
        expect(res.status, method).to.equal(401);
        expect(res.headers.get('www-authenticate'), method).to.match(/^Bearer/);
      }
    });

    it('refuses an access token in the query string or in a POST body (RFC 9700, RFC 6750 §2.3)', async () => {
      const q = `access_token=${encodeURIComponent(tokens.access_token)}`;
      expectBearerError(await userinfo('GET', { path: `/userinfo?${q}` }), 401, 'invalid_token', 'GET query');
      expectBearerError(await userinfo('POST', { path: `/userinfo?${q}` }), 401, 'invalid_token', 'POST query');
      expectBearerError(await userinfo('POST', { body: form({ access_token: tokens.access_token }).body }), 401, 'invalid_token', 'POST body');
    });

    it('answers 403 insufficient_scope for an access token without openid', async () => {
      const noOpenid = await login('offline_access email');
      const res = await userinfo('GET', { bearer: noOpenid.access_token });
      expectBearerError(res, 403, 'insufficient_scope', 'no openid');
      expect(res.headers.get('www-authenticate')).to.match(/error="insufficient_scope"/);
    });

    it('answers 401 invalid_token for a revoked access token, a refresh token and garbage', async () => {
      const other = await login('openid offline_access');
      expect((await userinfo('GET', { bearer: other.access_token })).status).to.equal(200);
      await revoke(t, client, other.access_token);
      expectBearerError(await userinfo('GET', { bearer: other.access_token }), 401, 'invalid_token', 'revoked');
      expectBearerError(await userinfo('GET', { bearer: other.refresh_token ?? '' }), 401, 'invalid_token', 'refresh token');
      const [random = '', signature = ''] = tokens.access_token.slice('ory_at_'.length).split('.');
      for (const garbage of ['garbage', `ory_at_${signature}.${random}`, `${tokens.access_token}x`, tokens.access_token.replace('ory_at_', 'ory_rt_')]) {
        expectBearerError(await userinfo('GET', { bearer: garbage }), 401, 'invalid_token', garbage);
      }
    });
  });

  describe('introspection of code-flow tokens', () => {
    it('describes the access token: subject, client, scope, granted audience, consent ext', async () => {
      const tokens = await login('openid offline_access email', { audience: [API] });
      const at = await introspect(t, tokens.access_token);
      expect(at).to.include({
        active: true,
        sub: 'alice',
        client_id: client.client_id,
        scope: 'openid offline_access email',
        token_use: 'access_token',
        iss: t.config.urls.self.issuer,
      });
      expect(at['aud']).to.deep.equal([API]);
      expect(at['ext']).to.deep.equal({ tier: 'gold', quota: 7 });
      expect(Number(at['exp']) - Number(at['iat'])).to.equal(3600);

      const rt = await introspect(t, tokens.refresh_token ?? '');
      expect(rt).to.include({ active: true, sub: 'alice', client_id: client.client_id, token_use: 'refresh_token' });
      expect(rt['aud']).to.deep.equal([API]);
    });
  });
});

/** Hydra's behaviour: a new key signs as soon as it is seen (README "Which key signs": keys.pre_publication). */
const IMMEDIATE = { ...FLOW_URLS, keys: { pre_publication: '0s' } };

describeEachBackend('ID token signing key rotation', (backend) => {
  let db: Database;
  let t: Running | undefined;
  let client: CreatedClient;

  before(async () => {
    db = await backend.create();
    t = await startTessera(db, IMMEDIATE);
    client = await createClient(t.adminUrl, { redirect_uris: [REDIRECT], grant_types: ['authorization_code'], scope: 'openid' });
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  it('signs with a key posted to /admin/keys/hydra.openid.id-token once the signer reloads (a restart here), old tokens still verify', async () => {
    const first = t as Running;
    const oldToken = (await obtainTokens(first, client, { scope: 'openid', redirectUri: REDIRECT })).id_token ?? '';
    const oldKid = decodeProtectedHeader(oldToken).kid;
    const oldIssuer = first.config.urls.self.issuer;

    const created = await request<{ keys: Array<{ kid: string; alg: string }> }>(first.adminUrl, 'POST', '/admin/keys/hydra.openid.id-token', { json: { alg: 'RS256', use: 'sig' } });
    expect(created.status, created.text).to.equal(201);
    const newKid = created.body.keys[0]?.kid;
    expect(newKid).to.be.a('string').and.not.equal(oldKid);

    // The signer caches its key for up to 30 s; a new process has no cache.
    await first.stop();
    t = undefined;
    const second = await startTessera(db, IMMEDIATE);
    t = second;

    const newToken = (await obtainTokens(second, client, { scope: 'openid', redirectUri: REDIRECT })).id_token ?? '';
    const fresh = await verifyIdToken(second, newToken, client.client_id);
    expect(fresh.protectedHeader).to.include({ kid: newKid, alg: 'RS256', typ: 'JWT' });
    expect(fresh.kids).to.include.members([newKid, oldKid]);

    // Keys are rotated, not replaced: the earlier ID token still verifies.
    const old = await verifyIdToken(second, oldToken, client.client_id, oldIssuer);
    expect(old.protectedHeader.kid).to.equal(oldKid);
    expect((old.payload satisfies JWTPayload).sub).to.equal('user-1');
  });
});
