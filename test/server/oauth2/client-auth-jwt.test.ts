import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { describeEachBackend } from '../../helpers/databases.js';
import { startTessera, useTessera, type Running } from '../../helpers/tessera.js';
import { createClient, form } from '../../helpers/clients.js';
import { request, type Answer } from '../../helpers/http.js';
import { connect } from '../../../server/src/storage/knex/index.js';

/*
 * Issue 16 items 1 and 2: private_key_jwt (RFC 7523 §2.2, OIDC Core §9) with
 * the client's jwks or jwks_uri, and client_secret_jwt with a sealed secret;
 * openid-client's PrivateKeyJwt and ClientSecretJwt authenticate; every
 * claim rule refuses with invalid_client; a replayed assertion is refused,
 * by another server on the same database too.
 */

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
type Json = { error?: string; error_description?: string; access_token?: string };

describeEachBackend('JWT client authentication', (backend) => {
  // allow_private_networks: the jwks_uri server of this suite listens on loopback.
  const h = useTessera(backend, { oauth2: { client_assertion: { jwks_uri: { allow_private_networks: true } } } });
  let t: Running;
  let keys: jose.GenerateKeyPairResult;
  let publicJwk: jose.JWK;
  let n = 0;

  before(async () => {
    t = h.t;
    keys = await jose.generateKeyPair('ES256', { extractable: true });
    publicJwk = { ...(await jose.exportJWK(keys.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  });

  const issuer = () => t.config.urls.self.issuer;
  const tokenUrl = () => `${t.publicUrl}/oauth2/token`;
  const keyClient = (extra: Record<string, unknown> = {}) =>
    createClient(t.adminUrl, { client_id: `pkj-${++n}`, grant_types: ['client_credentials'], scope: 'read', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [publicJwk] }, ...extra });

  async function assertion(clientId: string, claims: Record<string, unknown> = {}, key: jose.CryptoKey | Uint8Array = keys.privateKey, alg = 'ES256'): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new jose.SignJWT({ jti: crypto.randomUUID(), ...claims })
      .setProtectedHeader({ alg, kid: 'k1' })
      .setIssuer(clientId)
      .setSubject((claims['sub'] as string | undefined) ?? clientId)
      .setAudience((claims['aud'] as string | undefined) ?? issuer())
      .setIssuedAt(now)
      .setExpirationTime((claims['exp'] as number | undefined) ?? now + 60)
      .sign(key);
  }
  const post = (url: string, jwt: string, extra: Record<string, string> = {}): Promise<Answer<Json>> => {
    const f = form({ grant_type: 'client_credentials', scope: 'read', client_assertion_type: ASSERTION_TYPE, client_assertion: jwt, ...extra });
    return request<Json>(url, 'POST', '/oauth2/token', { body: f.body, headers: f.headers });
  };
  const expectInvalidClient = (res: Answer<Json>, why?: RegExp) => {
    expect(res.status, res.text).to.equal(401);
    expect(res.body.error).to.equal('invalid_client');
    if (why) expect(res.body.error_description, res.text).to.match(why);
  };

  it('authenticates openid-client PrivateKeyJwt at the token endpoint and at revocation', async () => {
    const c = await keyClient();
    const config = new oidc.Configuration({ issuer: issuer(), token_endpoint: tokenUrl(), revocation_endpoint: `${t.publicUrl}/oauth2/revoke` }, c.client_id, {}, oidc.PrivateKeyJwt(keys.privateKey));
    oidc.allowInsecureRequests(config);
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'read' });
    expect(tokens.access_token).to.match(/^ory_at_/);
    await oidc.tokenRevocation(config, tokens.access_token);
    const introspected = await request<{ active: boolean }>(t.adminUrl, 'POST', '/admin/oauth2/introspect', form({ token: tokens.access_token }));
    expect(introspected.body.active).to.equal(false);
  });

  it('refuses a replayed assertion, on another server of the same database too', async () => {
    const c = await keyClient();
    const jwt = await assertion(c.client_id);
    const first = await post(t.publicUrl, jwt);
    expect(first.status, first.text).to.equal(200);
    expectInvalidClient(await post(t.publicUrl, jwt), /used before/);
    // Another process on the same database, under the same issuer name.
    const other = await startTessera(h.db, { urls: { self: { issuer: issuer() } } });
    try {
      expectInvalidClient(await post(other.publicUrl, jwt), /used before/);
      const fresh = await assertion(c.client_id, { aud: issuer() });
      // The same jti raced on both servers: exactly one wins.
      const raced = await Promise.all([post(t.publicUrl, fresh), post(other.publicUrl, fresh)]);
      expect(raced.map((r) => r.status).sort()).to.deep.equal([200, 401]);
    } finally {
      await other.stop();
    }
  });

  it('refuses wrong claims, keys and algorithms with invalid_client', async () => {
    const c = await keyClient();
    const now = Math.floor(Date.now() / 1000);
    const stranger = await jose.generateKeyPair('ES256');
    expectInvalidClient(await post(t.publicUrl, await assertion(c.client_id, { aud: 'https://elsewhere.example' })), /aud/);
    expectInvalidClient(await post(t.publicUrl, await assertion(c.client_id, { exp: now - 60 })), /exp/);
    expectInvalidClient(await post(t.publicUrl, await assertion(c.client_id, { exp: now + 7200 })), /too far ahead/);
    expectInvalidClient(await post(t.publicUrl, await assertion(c.client_id, { sub: 'someone-else' })), /sub/);
    expectInvalidClient(await post(t.publicUrl, await assertion(c.client_id, {}, stranger.privateKey)), /signature/);
    const noJti = await new jose.SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer(c.client_id).setSubject(c.client_id).setAudience(issuer()).setExpirationTime(now + 60).sign(keys.privateKey);
    expectInvalidClient(await post(t.publicUrl, noJti), /jti/);
    // The token endpoint URL is an accepted audience too (RFC 7523 §3).
    expect((await post(t.publicUrl, await assertion(c.client_id, { aud: `${issuer()}/oauth2/token` }))).status).to.equal(200);
    // client_id, when sent, must be the assertion's issuer.
    expectInvalidClient(await post(t.publicUrl, await assertion(c.client_id), { client_id: 'other' }));
    expectInvalidClient(await post(t.publicUrl, await assertion(c.client_id), { client_assertion_type: 'urn:other' }), /client_assertion_type/);
    // A client pinned to RS256 refuses ES256.
    const pinned = await keyClient({ token_endpoint_auth_signing_alg: 'RS256' });
    expectInvalidClient(await post(t.publicUrl, await assertion(pinned.client_id)), /alg/);
    // A secret client cannot authenticate with an assertion, nor a key client with a secret.
    const secretClient = await createClient(t.adminUrl, { grant_types: ['client_credentials'], scope: 'read' });
    expectInvalidClient(await post(t.publicUrl, await assertion(secretClient.client_id)));
  });

  it('fetches jwks_uri through the guard, caches it and refetches on an unknown kid', async () => {
    let served: jose.JWK[] = [publicJwk];
    let fetches = 0;
    const server: Server = createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: served }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
      const c = await createClient(t.adminUrl, { grant_types: ['client_credentials'], scope: 'read', token_endpoint_auth_method: 'private_key_jwt', jwks_uri: uri });
      expect((await post(t.publicUrl, await assertion(c.client_id))).status).to.equal(200);
      expect((await post(t.publicUrl, await assertion(c.client_id))).status).to.equal(200);
      expect(fetches).to.equal(1);
      // A key the cached set lacks: refetched only after the cooldown, so refused now.
      const next = await jose.generateKeyPair('ES256', { extractable: true });
      served = [{ ...(await jose.exportJWK(next.publicKey)), kid: 'k2', alg: 'ES256', use: 'sig' }];
      const k2 = await new jose.SignJWT({ jti: crypto.randomUUID() }).setProtectedHeader({ alg: 'ES256', kid: 'k2' }).setIssuer(c.client_id).setSubject(c.client_id).setAudience(issuer()).setExpirationTime('1m').sign(next.privateKey);
      expectInvalidClient(await post(t.publicUrl, k2));
      expect(fetches).to.equal(1);
    } finally {
      server.close();
    }
  });

  it('refuses a jwks_uri on a private network without allow_private_networks', async () => {
    const strict = await startTessera(h.db);
    try {
      const c = await createClient(strict.adminUrl, { grant_types: ['client_credentials'], scope: 'read', token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'http://127.0.0.1:9/jwks.json' });
      const res = await post(strict.publicUrl, await assertion(c.client_id, { aud: strict.config.urls.self.issuer }));
      expectInvalidClient(res, /jwks_uri could not be fetched/);
    } finally {
      await strict.stop();
    }
  });

  it('registration of private_key_jwt needs jwks or jwks_uri', async () => {
    const res = await request<Json>(t.adminUrl, 'POST', '/admin/clients', { json: { grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt' } });
    expect(res.status).to.equal(400);
    expect(res.body.error).to.equal('invalid_client_metadata');
  });

  it('authenticates openid-client ClientSecretJwt; the secret is stored sealed, never hashed or in clear', async () => {
    const c = await createClient(t.adminUrl, { grant_types: ['client_credentials'], scope: 'read', token_endpoint_auth_method: 'client_secret_jwt' });
    expect(c.client_secret).to.be.a('string');
    const config = new oidc.Configuration({ issuer: issuer(), token_endpoint: tokenUrl() }, c.client_id, {}, oidc.ClientSecretJwt(c.client_secret));
    oidc.allowInsecureRequests(config);
    expect((await oidc.clientCredentialsGrant(config, { scope: 'read' })).access_token).to.match(/^ory_at_/);
    const conn = connect(h.db.dsn);
    try {
      const row = await conn.knex('clients').where('id', c.client_id).first<{ secret_hash: string }>();
      expect(row.secret_hash).to.match(/^sealed\$v1\./);
      expect(row.secret_hash).not.to.include(c.client_secret);
    } finally {
      await conn.knex.destroy();
    }
    // A MAC under another secret, and Basic with the right secret, both fail.
    const wrong = await assertion(c.client_id, {}, new TextEncoder().encode('x'.repeat(32)), 'HS256');
    expectInvalidClient(await post(t.publicUrl, wrong));
    const viaBasic = await request<Json>(t.publicUrl, 'POST', '/oauth2/token', {
      ...form({ grant_type: 'client_credentials' }),
      headers: { ...form({}).headers, authorization: `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}` },
    });
    expectInvalidClient(viaBasic);
    // A chosen client_secret_jwt secret must be long enough for HS256 (RFC 7518 §3.2).
    const short = await request<Json>(t.adminUrl, 'POST', '/admin/clients', { json: { token_endpoint_auth_method: 'client_secret_jwt', client_secret: 'short-secret', grant_types: ['client_credentials'] } });
    expect(short.status).to.equal(400);
  });

  it('advertises the methods and algorithms in discovery', async () => {
    const res = await request<Record<string, string[]>>(t.publicUrl, 'GET', '/.well-known/openid-configuration');
    expect(res.body['token_endpoint_auth_methods_supported']).to.include.members(['private_key_jwt', 'client_secret_jwt', 'client_secret_basic', 'client_secret_post', 'none']);
    expect(res.body['token_endpoint_auth_signing_alg_values_supported']).to.include.members(['ES256', 'RS256', 'HS256']);
  });
});
