import { expect } from 'chai';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera } from '../helpers/tessera.js';
import { basic, createClient, form, type CreatedClient } from '../helpers/clients.js';
import { request } from '../helpers/http.js';
import { basicOf, introspect, token } from './tokens-helpers.js';

/*
 * Issue 17 item 5: JWT introspection responses (RFC 9701), an extension.
 * openid-client v6 asks for them (the client's introspection_signed_response_alg)
 * and, with enableNonRepudiationChecks, verifies the signature against the
 * JWKS; jose checks the header and claims the RFC fixes. Introspection is on
 * the admin port, as in Hydra; the JWT form needs the caller to authenticate
 * as a confidential client, whose id is the JWT's `aud`.
 */

const JWT_TYPE = 'application/token-introspection+jwt';

describeEachBackend('JWT introspection responses (RFC 9701)', (backend) => {
  const h = useTessera(backend);
  let rs: CreatedClient;
  let issuerClient: CreatedClient;
  let accessToken: string;

  before(async () => {
    rs = await createClient(h.t.adminUrl, { grant_types: ['client_credentials'], scope: 'introspect' });
    issuerClient = await createClient(h.t.adminUrl, { grant_types: ['client_credentials'], scope: 'read write' });
    const res = await token(h.t, { grant_type: 'client_credentials', scope: 'read' }, basicOf(issuerClient));
    expect(res.status, res.text).to.equal(200);
    accessToken = res.body.access_token;
  });

  const askJwt = (body: Record<string, string>, headers: Record<string, string> = {}, path = '/admin/oauth2/introspect') =>
    request<Record<string, unknown>>(h.t.adminUrl, 'POST', path, { body: form(body).body, headers: { ...form({}).headers, accept: JWT_TYPE, ...headers } });

  it('is advertised in discovery', async () => {
    const res = await request<Record<string, unknown>>(h.t.publicUrl, 'GET', '/.well-known/openid-configuration');
    expect(res.body['introspection_signing_alg_values_supported']).to.deep.equal(['RS256']);
  });

  it('openid-client asks for and verifies the JWT answer (signature against the JWKS, typ, iss, aud)', async () => {
    const metadata = (await request<oidc.ServerMetadata>(h.t.publicUrl, 'GET', '/.well-known/openid-configuration')).body;
    const config = new oidc.Configuration(
      { ...metadata, introspection_endpoint: `${h.t.adminUrl}/admin/oauth2/introspect` },
      rs.client_id,
      { client_secret: rs.client_secret, introspection_signed_response_alg: 'RS256' },
      oidc.ClientSecretBasic(rs.client_secret),
    );
    oidc.allowInsecureRequests(config);
    oidc.enableNonRepudiationChecks(config);
    const result = await oidc.tokenIntrospection(config, accessToken);
    expect(result).to.include({ active: true, client_id: issuerClient.client_id, sub: issuerClient.client_id, scope: 'read', token_use: 'access_token' });
  });

  it('signs the usual JSON answer as token_introspection, for the authenticated client, verifiable with the JWKS', async () => {
    const res = await askJwt({ token: accessToken }, { authorization: basic(rs.client_id, rs.client_secret) });
    expect(res.status, res.text).to.equal(200);
    expect(res.headers.get('content-type')).to.equal(JWT_TYPE);
    expect(res.headers.get('cache-control')).to.include('no-store');
    const jwks = jose.createRemoteJWKSet(new URL(`${h.t.publicUrl}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jose.jwtVerify(res.text, jwks, { issuer: h.t.config.urls.self.issuer, audience: rs.client_id, typ: 'token-introspection+jwt' });
    expect(protectedHeader.alg).to.equal('RS256');
    expect(payload.iat).to.be.a('number');
    // RFC 9701 §5: no top-level exp or sub, so the answer cannot pass for a token.
    expect(payload).not.to.have.property('exp');
    expect(payload).not.to.have.property('sub');
    expect(payload['token_introspection']).to.deep.equal(await introspect(h.t, accessToken));
  });

  it('answers inactive tokens the same way, and on /oauth2/introspect too, with client_secret_post', async () => {
    const poster = await createClient(h.t.adminUrl, { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post' });
    const res = await askJwt({ token: 'ory_at_nothing.here', client_id: poster.client_id, client_secret: poster.client_secret }, {}, '/oauth2/introspect');
    expect(res.status, res.text).to.equal(200);
    expect(jose.decodeJwt(res.text)).to.include({ aud: poster.client_id });
    expect(jose.decodeJwt(res.text)['token_introspection']).to.deep.equal({ active: false });
  });

  it('needs client authentication: none, a wrong secret or a public client is 401 invalid_client', async () => {
    const none = await askJwt({ token: accessToken });
    expect(none.status, none.text).to.equal(401);
    expect(none.body['error']).to.equal('invalid_client');
    expect((await askJwt({ token: accessToken }, { authorization: basic(rs.client_id, 'wrong') })).status).to.equal(401);
    const pub = await createClient(h.t.adminUrl, { grant_types: ['authorization_code'], redirect_uris: ['http://127.0.0.1:9999/cb'], token_endpoint_auth_method: 'none' });
    expect((await askJwt({ token: accessToken, client_id: pub.client_id })).status).to.equal(401);
  });

  it('leaves the JSON answer as it was: no credentials needed, for Accept application/json or none', async () => {
    for (const accept of [undefined, 'application/json', `${JWT_TYPE};q=0, application/json`]) {
      const res = await request<Record<string, unknown>>(h.t.adminUrl, 'POST', '/admin/oauth2/introspect', {
        body: form({ token: accessToken }).body,
        headers: { ...form({}).headers, ...(accept ? { accept } : {}) },
      });
      expect(res.status, res.text).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^application\/json/);
      expect(res.body).to.include({ active: true });
    }
  });
});
