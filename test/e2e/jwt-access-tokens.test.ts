import { expect } from 'chai';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera, type Running } from '../helpers/tessera.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { FLOW_URLS } from '../helpers/flow.js';
import { request } from '../helpers/http.js';
import { basicOf, introspect, obtainTokens, refresh, revoke, token, TOKEN_FORMAT } from './tokens-helpers.js';

/*
 * JWT access tokens (RFC 9068), README "Opaque or JWT access tokens": a
 * resource server verifies them itself with jose's jwtVerify and
 * createRemoteJWKSet against /.well-known/jwks.json (the seed guide's
 * pattern), and the server still records them by `jti`, so introspection,
 * revocation, refresh rotation and consent revocation treat them as opaque ones.
 */

const REDIRECT = 'http://127.0.0.1:9999/callback';
const ACCESS_TOKEN_SET = 'hydra.jwt.access-token';
const JWT_FORMAT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** What the seed's resource server does. */
async function resourceServerVerify(t: Running, accessToken: string, audience?: string) {
  const jwks = createRemoteJWKSet(new URL(`${t.publicUrl}/.well-known/jwks.json`));
  return jwtVerify(accessToken, jwks, { issuer: t.config.urls.self.issuer, typ: 'at+jwt', ...(audience ? { audience } : {}) });
}

const clientCredentials = async (t: Running, client: CreatedClient, extra: Record<string, string> = {}) => {
  const res = await token(t, { grant_type: 'client_credentials', ...extra }, basicOf(client));
  expect(res.status, res.text).to.equal(200);
  return res.body;
};

describeEachBackend('JWT access tokens, strategies.access_token: jwt', (backend) => {
  const h = useTessera(backend, { ...FLOW_URLS, strategies: { access_token: 'jwt' }, keys: { pre_publication: '0s' } });
  let service: CreatedClient;

  before(async () => {
    service = await createClient(h.t.adminUrl, { grant_types: ['client_credentials'], scope: 'read write', audience: ['https://api.example'] });
  });

  it('client_credentials answers an RFC 9068 JWT that a resource server verifies against the JWKS', async () => {
    const t = h.t;
    const body = await clientCredentials(t, service, { scope: 'read', audience: 'https://api.example' });
    expect(body.access_token).to.match(JWT_FORMAT);
    expect(body).to.include({ token_type: 'bearer', expires_in: 3600, scope: 'read' });
    const { payload, protectedHeader } = await resourceServerVerify(t, body.access_token, 'https://api.example');
    expect(protectedHeader).to.include({ alg: 'RS256', typ: 'at+jwt' });
    const atKeys = (await request<{ keys: Array<{ kid: string }> }>(t.adminUrl, 'GET', `/admin/keys/${ACCESS_TOKEN_SET}`)).body.keys;
    expect(atKeys.map((k) => k.kid)).to.include(protectedHeader.kid);
    expect(payload).to.include({ iss: t.config.urls.self.issuer, sub: service.client_id, client_id: service.client_id, scope: 'read' });
    expect(payload.aud).to.deep.equal(['https://api.example']);
    expect(payload['scp']).to.deep.equal(['read']);
    expect(payload.jti).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).to.equal(3600);
    // Introspection finds the record by jti and answers as for an opaque token.
    const seen = await introspect(t, body.access_token);
    expect(seen).to.include({ active: true, client_id: service.client_id, sub: service.client_id, scope: 'read', token_use: 'access_token' });
    expect(seen['exp']).to.equal(payload.exp);
  });

  it('revocation (RFC 7009) ends it for introspection; the signature alone stays valid until exp, as RFC 9068 §5 says', async () => {
    const t = h.t;
    const body = await clientCredentials(t, service);
    await revoke(t, service, body.access_token);
    expect(await introspect(t, body.access_token)).to.deep.equal({ active: false });
    await resourceServerVerify(t, body.access_token);
  });

  it('a tampered token, one signed by another key, or one carrying a live jti is not active', async () => {
    const t = h.t;
    const body = await clientCredentials(t, service, { scope: 'read' });
    const [header, payload, signature] = body.access_token.split('.') as [string, string, string];
    const claims = decodeJwt(body.access_token);
    const widened = Buffer.from(JSON.stringify({ ...claims, scope: 'read write' })).toString('base64url');
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    const { privateKey } = await generateKeyPair('RS256');
    const kid = decodeProtectedHeader(body.access_token).kid ?? '';
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' }).sign(privateKey);
    for (const bad of [`${header}.${widened}.${signature}`, `${header}.${payload}.${flipped}`, forged, `${header}.${payload}.`]) {
      expect(await introspect(t, bad)).to.deep.equal({ active: false });
      const res = await request(t.publicUrl, 'GET', '/userinfo', { headers: { authorization: `Bearer ${bad}` } });
      expect(res.status).to.equal(401);
    }
    expect((await introspect(t, body.access_token)).active).to.equal(true);
  });

  it('the authorization code flow: JWT access token with auth_time, acr and ext; refresh and ID tokens unchanged', async () => {
    const t = h.t;
    const client = await createClient(t.adminUrl, { redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'], scope: 'openid offline_access' });
    const body = await obtainTokens(t, client, {
      scope: 'openid offline_access',
      redirectUri: REDIRECT,
      login: { subject: 'alice', acr: 'urn:tessera:pwd' },
      consent: { session: { access_token: { tenant: 'blue', sub: 'mallory' }, id_token: { email: 'alice@example.com' } } },
    });
    expect(body.refresh_token).to.match(TOKEN_FORMAT).and.match(/^ory_rt_/);
    const { payload } = await resourceServerVerify(t, body.access_token);
    expect(payload).to.include({ sub: 'alice', client_id: client.client_id, acr: 'urn:tessera:pwd', scope: 'openid offline_access' });
    expect(payload['auth_time']).to.be.a('number');
    expect(payload['ext']).to.deep.equal({ tenant: 'blue', sub: 'mallory' });
    // at_hash of the ID token is computed over the JWT, as for any access token (OIDC Core §3.1.3.6).
    expect(decodeJwt(body.id_token ?? '')['at_hash']).to.be.a('string');
    const info = await request<Record<string, unknown>>(t.publicUrl, 'GET', '/userinfo', { headers: { authorization: `Bearer ${body.access_token}` } });
    expect(info.status, info.text).to.equal(200);
    expect(info.body).to.include({ sub: 'alice', email: 'alice@example.com' });

    // Refresh rotation retires the old JWT with the old refresh token.
    const next = await refresh(t, client, body.refresh_token ?? '');
    expect(next.status, next.text).to.equal(200);
    expect(next.body.access_token).to.match(JWT_FORMAT);
    expect(await introspect(t, body.access_token)).to.deep.equal({ active: false });
    expect((await introspect(t, next.body.access_token)).active).to.equal(true);

    // Consent revocation reaches JWT access tokens through their recorded jti.
    const res = await request(t.adminUrl, 'DELETE', `/admin/oauth2/auth/sessions/consent?subject=alice&client=${encodeURIComponent(client.client_id)}`);
    expect(res.status, res.text).to.equal(204);
    expect(await introspect(t, next.body.access_token)).to.deep.equal({ active: false });
  });

  it('a client can opt out: access_token_strategy "opaque" gets ory_at_ tokens', async () => {
    const t = h.t;
    const opaque = await createClient(t.adminUrl, { grant_types: ['client_credentials'], access_token_strategy: 'opaque' });
    expect((await clientCredentials(t, opaque)).access_token).to.match(TOKEN_FORMAT);
  });

  it('access_token_signed_response_alg: refused until hydra.jwt.access-token has such a key, then honoured', async () => {
    const t = h.t;
    const registration = { grant_types: ['client_credentials'], access_token_signed_response_alg: 'ES256' };
    const refused = await request<{ error: string; error_description: string }>(t.adminUrl, 'POST', '/admin/clients', { json: registration });
    expect(refused.status, refused.text).to.equal(400);
    expect(refused.body.error).to.equal('invalid_client_metadata');
    expect(refused.body.error_description).to.include('access_token_signed_response_alg');
    for (const alg of ['ES256', 'EdDSA', 'PS256']) {
      const created = await request(t.adminUrl, 'POST', `/admin/keys/${ACCESS_TOKEN_SET}`, { json: { alg } });
      expect(created.status, created.text).to.equal(201);
      const client = await createClient(t.adminUrl, { ...registration, access_token_signed_response_alg: alg });
      expect(client['access_token_signed_response_alg']).to.equal(alg);
      const accessToken = (await clientCredentials(t, client)).access_token;
      const { protectedHeader } = await resourceServerVerify(t, accessToken);
      expect(protectedHeader.alg).to.equal(alg);
      // Introspection checks the signature of every algorithm before it looks the jti up.
      expect((await introspect(t, accessToken)).active, alg).to.equal(true);
      const [h, p, s] = accessToken.split('.') as [string, string, string];
      const otherSignature = `${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
      expect(await introspect(t, `${h}.${p}.${otherSignature}`), alg).to.deep.equal({ active: false });
    }
  });
});

describeEachBackend('JWT access tokens per client (strategies.access_token: opaque)', (backend) => {
  const h = useTessera(backend, FLOW_URLS);

  it('only the client that asks for access_token_strategy "jwt" gets JWTs; the key set is created on demand', async () => {
    const t = h.t;
    const before = await request(t.adminUrl, 'GET', `/admin/keys/${ACCESS_TOKEN_SET}`);
    expect(before.status).to.equal(404);
    const opaque = await createClient(t.adminUrl, { grant_types: ['client_credentials'] });
    const jwt = await createClient(t.adminUrl, { grant_types: ['client_credentials'], access_token_strategy: 'jwt' });
    expect(jwt['access_token_strategy']).to.equal('jwt');
    expect((await clientCredentials(t, opaque)).access_token).to.match(TOKEN_FORMAT);
    const body = await clientCredentials(t, jwt);
    const { payload } = await resourceServerVerify(t, body.access_token);
    expect(payload.client_id).to.equal(jwt.client_id);
    expect((await introspect(t, body.access_token)).active).to.equal(true);
  });

  it('refuses an unknown access_token_strategy', async () => {
    const res = await request<{ error: string }>(h.t.adminUrl, 'POST', '/admin/clients', { json: { access_token_strategy: 'jwe' } });
    expect(res.status).to.equal(400);
    expect(res.body.error).to.equal('invalid_client_metadata');
  });
});

describe('strategies.access_token configuration', () => {
  it('accepts jwt and refuses anything else, naming the key', async () => {
    const { loadConfig, ConfigError } = await import('../../server/src/config/load.js');
    const base = { dsn: 'memory', urls: { self: { issuer: 'http://127.0.0.1:4444' } }, secrets: { system: ['x'.repeat(32)] } };
    expect(loadConfig({ env: {}, overrides: { ...base, strategies: { access_token: 'jwt' } } }).strategies.access_token).to.equal('jwt');
    expect(() => loadConfig({ env: {}, overrides: { ...base, strategies: { access_token: 'paseto' } } })).to.throw(ConfigError, /strategies\.access_token/);
  });
});
