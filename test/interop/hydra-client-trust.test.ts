import { expect } from 'chai';
import * as jose from 'jose';
import { Configuration, OAuth2Api, type JsonWebKey } from '@ory/hydra-client';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera, type Running } from '../helpers/tessera.js';
import { basic, createClient, form, type CreatedClient } from '../helpers/clients.js';
import { request, type Answer } from '../helpers/http.js';

/*
 * Issue 16 item 4: the jwt-bearer grant (RFC 7523 §2.1) with Hydra's trust
 * API, driven by @ory/hydra-client's OAuth2Api unchanged: trust, get, list,
 * delete; an assertion by a trusted issuer buys an access token for its
 * `sub`; replay, untrusted subjects and keys, scope beyond the trust and
 * deleted trust are refused.
 */

const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
type Json = { error?: string; error_description?: string; access_token?: string; scope?: string };

describeEachBackend('@ory/hydra-client trust API and the jwt-bearer grant', (backend) => {
  const h = useTessera(backend);
  let t: Running;
  let api: OAuth2Api;
  let client: CreatedClient;
  let keys: jose.GenerateKeyPairResult;
  let jwk: JsonWebKey;
  let n = 0;
  const expiresAt = () => new Date(Date.now() + 3_600_000).toISOString();

  before(async () => {
    t = h.t;
    api = new OAuth2Api(new Configuration({ basePath: t.adminUrl }));
    client = await createClient(t.adminUrl, { grant_types: [GRANT], scope: 'read write' });
    keys = await jose.generateKeyPair('RS256', { extractable: true });
    jwk = { ...(await jose.exportJWK(keys.publicKey)), kid: 'issuer-key', alg: 'RS256', use: 'sig' } as JsonWebKey;
  });

  const issuerName = () => `https://issuer-${++n}.example`;
  async function assertion(iss: string, sub: string, claims: Record<string, unknown> = {}, headerKid = 'issuer-key'): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new jose.SignJWT({ jti: crypto.randomUUID(), iat: now, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: headerKid })
      .setIssuer(iss)
      .setSubject(sub)
      .setAudience(`${t.config.urls.self.issuer}/oauth2/token`)
      .setExpirationTime((claims['exp'] as number | undefined) ?? now + 300)
      .sign(keys.privateKey);
  }
  const exchange = (jwt: string, scope = 'read'): Promise<Answer<Json>> =>
    request<Json>(t.publicUrl, 'POST', '/oauth2/token', {
      ...form({ grant_type: GRANT, assertion: jwt, scope }),
      headers: { ...form({}).headers, authorization: basic(client.client_id, client.client_secret) },
    });
  const expectError = (res: Answer<Json>, error: string, status = 400) => {
    expect(res.status, res.text).to.equal(status);
    expect(res.body.error).to.equal(error);
  };

  it('round-trips trust relationships through OAuth2Api', async () => {
    const issuer = issuerName();
    const { data: created, status } = await api.trustOAuth2JwtGrantIssuer({ trustOAuth2JwtGrantIssuer: { issuer, subject: 'alice', scope: ['read'], jwk, expires_at: expiresAt() } });
    expect(status).to.equal(201);
    expect(created).to.include({ issuer, subject: 'alice', allow_any_subject: false });
    expect(created.public_key).to.deep.equal({ set: issuer, kid: 'issuer-key' });
    const { data: read } = await api.getTrustedOAuth2JwtGrantIssuer({ id: created.id ?? '' });
    expect(read).to.deep.equal(created);
    const { data: listed } = await api.listTrustedOAuth2JwtGrantIssuers({ issuer });
    expect(listed.map((g) => g.id)).to.deep.equal([created.id]);
    const dup = await api.trustOAuth2JwtGrantIssuer({ trustOAuth2JwtGrantIssuer: { issuer, subject: 'alice', scope: ['read'], jwk, expires_at: expiresAt() } }).catch((e: { response: { status: number } }) => e.response.status);
    expect(dup).to.equal(409);
    expect((await api.deleteTrustedOAuth2JwtGrantIssuer({ id: created.id ?? '' })).status).to.equal(204);
    const gone = await api.getTrustedOAuth2JwtGrantIssuer({ id: created.id ?? '' }).catch((e: { response: { status: number } }) => e.response.status);
    expect(gone).to.equal(404);
  });

  it('refuses bad trust requests', async () => {
    const bad = async (body: Record<string, unknown>) => (await request(t.adminUrl, 'POST', '/admin/trust/grants/jwt-bearer/issuers', { json: { issuer: issuerName(), scope: [], jwk, expires_at: expiresAt(), ...body } })).status;
    expect(await bad({})).to.equal(400);
    expect(await bad({ subject: 'a', allow_any_subject: true })).to.equal(400);
    expect(await bad({ subject: 'a', jwk: { ...jwk, kid: undefined } })).to.equal(400);
    expect(await bad({ subject: 'a', jwk: { kty: 'oct', k: 'c2VjcmV0', kid: 'x', alg: 'HS256', use: 'sig' } })).to.equal(400);
  });

  it('trades a trusted assertion for an access token of its subject; replay, strangers and wider scope are refused', async () => {
    const issuer = issuerName();
    const { data: trust } = await api.trustOAuth2JwtGrantIssuer({ trustOAuth2JwtGrantIssuer: { issuer, subject: 'alice', scope: ['read'], jwk, expires_at: expiresAt() } });
    const jwt = await assertion(issuer, 'alice');
    const ok = await exchange(jwt);
    expect(ok.status, ok.text).to.equal(200);
    expect(ok.body.scope).to.equal('read');
    const intro = await request<{ active: boolean; sub: string; client_id: string }>(t.adminUrl, 'POST', '/admin/oauth2/introspect', form({ token: ok.body.access_token ?? '' }));
    expect(intro.body).to.include({ active: true, sub: 'alice', client_id: client.client_id });

    expectError(await exchange(jwt), 'invalid_grant');
    expectError(await exchange(await assertion(issuer, 'bob')), 'invalid_grant');
    expectError(await exchange(await assertion(issuer, 'alice'), 'write'), 'invalid_scope');
    expectError(await exchange(await assertion(issuer, 'alice', {}, 'other-key')), 'invalid_grant');
    expectError(await exchange(await assertion(issuer, 'alice', { jti: undefined })), 'invalid_grant');
    expectError(await exchange(await assertion(issuer, 'alice', { exp: Math.floor(Date.now() / 1000) + 800 * 3600 })), 'invalid_grant');
    const stranger = await jose.generateKeyPair('RS256');
    const forged = await new jose.SignJWT({ jti: 'f', iat: Math.floor(Date.now() / 1000) }).setProtectedHeader({ alg: 'RS256', kid: 'issuer-key' }).setIssuer(issuer).setSubject('alice').setAudience(`${t.config.urls.self.issuer}/oauth2/token`).setExpirationTime('5m').sign(stranger.privateKey);
    expectError(await exchange(forged), 'invalid_grant');
    const missing = await request<Json>(t.publicUrl, 'POST', '/oauth2/token', { ...form({ grant_type: GRANT }), headers: { ...form({}).headers, authorization: basic(client.client_id, client.client_secret) } });
    expectError(missing, 'invalid_request');

    await api.deleteTrustedOAuth2JwtGrantIssuer({ id: trust.id ?? '' });
    expectError(await exchange(await assertion(issuer, 'alice')), 'invalid_grant');
  });

  it('allow_any_subject trusts every subject; a client without the grant type is refused', async () => {
    const issuer = issuerName();
    await api.trustOAuth2JwtGrantIssuer({ trustOAuth2JwtGrantIssuer: { issuer, allow_any_subject: true, scope: ['read', 'write'], jwk, expires_at: expiresAt() } });
    const res = await exchange(await assertion(issuer, 'carol'), 'read write');
    expect(res.status, res.text).to.equal(200);
    const other = await createClient(t.adminUrl, { grant_types: ['client_credentials'], scope: 'read' });
    const refused = await request<Json>(t.publicUrl, 'POST', '/oauth2/token', {
      ...form({ grant_type: GRANT, assertion: await assertion(issuer, 'carol'), scope: 'read' }),
      headers: { ...form({}).headers, authorization: basic(other.client_id, other.client_secret) },
    });
    expectError(refused, 'unauthorized_client');
    const disc = await request<{ grant_types_supported: string[] }>(t.publicUrl, 'GET', '/.well-known/openid-configuration');
    expect(disc.body.grant_types_supported).to.include(GRANT);
  });
});
