import { expect } from 'chai';
import { createLocalJWKSet, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JSONWebKeySet, type JWK } from 'jose';
import type { DiscoveryDocument, JsonWebKey, JsonWebKeySet } from '@tessera/sdk';
import { describeEachBackend, type Database } from '../../helpers/databases.js';
import { startTessera, type Running } from '../../helpers/tessera.js';
import { request } from '../../helpers/http.js';

/*
 * What the public port publishes about keys: /.well-known/jwks.json (RFC 7517
 * §5, README "Admin API → Keys": only the public members of the `sig` keys of
 * hydra.openid.id-token and hydra.jwt.access-token) and the discovery
 * documents that point at it (OpenID Connect Discovery 1.0 §3, RFC 8414 §3).
 */

const ID_TOKEN_SET = 'hydra.openid.id-token';
const ACCESS_TOKEN_SET = 'hydra.jwt.access-token';
/** RFC 7518 §6.2.2, §6.3.2, §6.4.1, RFC 8037 §2: never published. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

type PublishedKey = Record<string, unknown> & { kid: string };

function expectPublicOnly(keys: readonly PublishedKey[]): void {
  for (const key of keys) for (const m of PRIVATE_MEMBERS) expect(key, `${key.kid}.${m}`).not.to.have.property(m);
}

describeEachBackend('/.well-known/jwks.json', (backend) => {
  let db: Database;
  let t: Running;

  before(async () => {
    db = await backend.create();
    t = await startTessera(db);
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  const jwks = () => request<{ keys: PublishedKey[] }>(t.publicUrl, 'GET', '/.well-known/jwks.json');
  const admin = <T = JsonWebKeySet>(method: string, path: string, json?: unknown) =>
    request<T>(t.adminUrl, method, path, json === undefined ? {} : { json });
  const create = async (setId: string, body: { alg: string; kid: string; use?: string }): Promise<JsonWebKey> => {
    const res = await admin('POST', `/admin/keys/${setId}`, body);
    expect(res.status, res.text).to.equal(201);
    const [key] = res.body.keys;
    if (!key) throw new Error('no key created');
    return key;
  };
  const signWith = async (key: JsonWebKey) =>
    new SignJWT({ sub: 'alice' })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .setIssuer(t.config.urls.self.issuer)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(await importJWK(key as JWK, key.alg));

  it('publishes the public part of the key created on first start, and nothing else', async () => {
    const res = await jwks();
    expect(res.status, res.text).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/json/);
    const [initial] = (await admin('GET', `/admin/keys/${ID_TOKEN_SET}`)).body.keys as [JsonWebKey];
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicPart } = initial;
    expect(res.body).to.deep.equal({ keys: [publicPart] });
    expectPublicOnly(res.body.keys);
  });

  it('the public port has no admin routes', async () => {
    const res = await request(t.publicUrl, 'GET', `/admin/keys/${ID_TOKEN_SET}`);
    expect(res.status).to.equal(404);
    expect(res.text).not.to.match(/"d"\s*:/);
  });

  it('adds sig keys of the two published sets, never enc keys or keys of other sets, never private members', async () => {
    const idToken = await create(ID_TOKEN_SET, { alg: 'ES256', kid: 'id-es256' });
    const accessToken = await create(ACCESS_TOKEN_SET, { alg: 'EdDSA', kid: 'at-eddsa' });
    await create(ID_TOKEN_SET, { alg: 'RS256', kid: 'id-enc', use: 'enc' });
    await create(ACCESS_TOKEN_SET, { alg: 'ES256', kid: 'at-enc', use: 'enc' });
    await create('some.other-set', { alg: 'ES256', kid: 'other-sig' });
    await create('hydra.openid.id-token.old', { alg: 'ES256', kid: 'prefix-sig' });

    const res = await jwks();
    expect(res.status).to.equal(200);
    const kids = res.body.keys.map((k) => k.kid);
    expect(kids).to.include.members([idToken.kid, accessToken.kid]);
    expect(kids).not.to.include.any.members(['id-enc', 'at-enc', 'other-sig', 'prefix-sig']);
    expect(kids).to.have.length(3);
    for (const key of res.body.keys) expect(key['use']).to.equal('sig');
    expectPublicOnly(res.body.keys);
    expect(res.body.keys.find((k) => k.kid === 'id-es256')).to.include({ kty: 'EC', crv: 'P-256', alg: 'ES256', x: idToken.x, y: idToken.y });
    expect(res.text).not.to.include(idToken.d ?? '');
    expect(res.text).not.to.include(accessToken.d ?? '');
  });

  it('a key PUT through the admin API is published too, its private part never', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(privateKey);
    const put = await admin('PUT', `/admin/keys/${ID_TOKEN_SET}/imported`, { ...jwk, kid: 'imported', alg: 'ES256', use: 'sig' });
    expect(put.status, put.text).to.equal(200);
    const res = await jwks();
    expect(res.body.keys.find((k) => k.kid === 'imported')).to.deep.include({ kty: 'EC', x: jwk.x, y: jwk.y });
    expect(res.text).not.to.include(jwk.d ?? '');
    expectPublicOnly(res.body.keys);
  });

  it('JWTs signed by each published private key verify against the JWKS alone', async () => {
    const set = (await jwks()).body as JSONWebKeySet;
    const verify = createLocalJWKSet(set);
    const signers = [
      ...(await admin('GET', `/admin/keys/${ID_TOKEN_SET}`)).body.keys,
      ...(await admin('GET', `/admin/keys/${ACCESS_TOKEN_SET}`)).body.keys,
    ].filter((k) => k.use === 'sig');
    expect(signers.map((k) => k.alg).sort()).to.deep.equal(['ES256', 'ES256', 'EdDSA', 'RS256']);
    for (const key of signers) {
      const { payload, protectedHeader } = await jwtVerify(await signWith(key), verify, { issuer: t.config.urls.self.issuer });
      expect(payload.sub, key.kid).to.equal('alice');
      expect(protectedHeader.kid).to.equal(key.kid);
    }
  });

  it('a deleted key is no longer published', async () => {
    expect((await admin('DELETE', `/admin/keys/${ACCESS_TOKEN_SET}/at-eddsa`)).status).to.equal(204);
    expect((await admin('DELETE', `/admin/keys/${ID_TOKEN_SET}/imported`)).status).to.equal(204);
    const kids = (await jwks()).body.keys.map((k) => k.kid);
    expect(kids).not.to.include.any.members(['at-eddsa', 'imported']);
    expect(kids).to.include('id-es256');
  });
});

describeEachBackend('discovery documents', (backend) => {
  let db: Database;
  let t: Running;

  before(async () => {
    db = await backend.create();
    t = await startTessera(db);
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  const get = (path: string) => request<DiscoveryDocument>(t.publicUrl, 'GET', path);

  it('openid-configuration and oauth-authorization-server are the same document', async () => {
    const oidc = await get('/.well-known/openid-configuration');
    const oauth = await get('/.well-known/oauth-authorization-server');
    for (const res of [oidc, oauth]) {
      expect(res.status, res.text).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^application\/json/);
    }
    expect(oauth.body).to.deep.equal(oidc.body);
  });

  it('names the configured issuer and the JWKS under it', async () => {
    const { body } = await get('/.well-known/openid-configuration');
    expect(t.config.urls.self.issuer).to.equal(`http://127.0.0.1:${new URL(t.publicUrl).port}`);
    expect(body.issuer).to.equal(t.config.urls.self.issuer);
    expect(body.jwks_uri).to.equal(`${t.config.urls.self.issuer}/.well-known/jwks.json`);
    expect(body.id_token_signing_alg_values_supported).to.include('RS256');
    expect(body.subject_types_supported).to.include('public');
  });

  it('every endpoint and URI it lists is served (no endpoint that does not exist yet)', async () => {
    const { body } = await get('/.well-known/openid-configuration');
    const listed = Object.entries(body).filter(([field]) => /_(endpoint|uri)$/.test(field));
    expect(listed.map(([field]) => field)).to.include('jwks_uri');
    for (const [field, value] of listed) {
      expect(value, field).to.be.a('string');
      const url = new URL(String(value));
      expect(url.origin, field).to.equal(new URL(t.config.urls.self.issuer).origin);
      const res = await fetch(url, { redirect: 'manual' });
      await res.arrayBuffer();
      expect(res.status, `${field} ${url.href}`).not.to.equal(404);
      expect(res.status, `${field} ${url.href}`).to.be.below(500);
    }
  });
});
