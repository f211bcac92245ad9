import { expect } from 'chai';
import { describeEachBackend } from '../../helpers/databases.js';
import { useTessera, type Running } from '../../helpers/tessera.js';
import { request } from '../../helpers/http.js';
import { basic, createClient, form, type CreatedClient } from '../../helpers/clients.js';

interface Token {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
  refresh_token?: string;
}

describeEachBackend('client_credentials grant', (backend) => {
  const harness = useTessera(backend);
  let t: Running;
  let client: CreatedClient;

  const token = (params: Record<string, string>, authorization?: string) => {
    const f = form(params);
    return request<Token & { error?: string }>(t.publicUrl, 'POST', '/oauth2/token', {
      body: f.body,
      headers: { ...f.headers, ...(authorization ? { authorization } : {}) },
    });
  };

  before(async () => {
    t = harness.t;
    client = await createClient(t.adminUrl, {
      grant_types: ['client_credentials'],
      scope: 'read write',
      audience: ['https://api.example.com'],
    });
  });

  it('issues an ory_at_ token to a client authenticating with Basic, without a refresh token', async () => {
    const res = await token({ grant_type: 'client_credentials', scope: 'read', audience: 'https://api.example.com' }, basic(client.client_id, client.client_secret));
    expect(res.status).to.equal(200);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    expect(res.headers.get('pragma')).to.equal('no-cache');
    expect(res.body.access_token).to.match(/^ory_at_[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    expect(res.body).to.include({ token_type: 'bearer', expires_in: 3600, scope: 'read' });
    expect(res.body).not.to.have.property('refresh_token');
  });

  it('accepts client_secret_post only from a client registered for it', async () => {
    const post = await createClient(t.adminUrl, { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post', scope: 'read' });
    const ok = await token({ grant_type: 'client_credentials', client_id: post.client_id, client_secret: post.client_secret });
    expect(ok.status).to.equal(200);
    const viaBasic = await token({ grant_type: 'client_credentials' }, basic(post.client_id, post.client_secret));
    expect(viaBasic.status).to.equal(401);
    expect(viaBasic.body.error).to.equal('invalid_client');
    const viaPost = await token({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret });
    expect(viaPost.status).to.equal(401);
  });

  it('refuses a wrong secret, an unknown client and no credentials with 401 invalid_client and WWW-Authenticate', async () => {
    for (const authorization of [basic(client.client_id, 'wrong'), basic('nobody', 'x'), undefined, 'Basic !!!', 'Basic ' + Buffer.from('no-colon').toString('base64')]) {
      const res = await token({ grant_type: 'client_credentials' }, authorization);
      expect(res.status, String(authorization)).to.equal(401);
      expect(res.body.error).to.equal('invalid_client');
      expect(res.headers.get('www-authenticate')).to.match(/^Basic/);
    }
  });

  it('verifies a caller-chosen (scrypt-hashed) secret, with reserved characters in Basic', async () => {
    const chosen = await createClient(t.adminUrl, { grant_types: ['client_credentials'], client_secret: 'p@ss: wörd+/=&', scope: 'read' });
    expect((await token({ grant_type: 'client_credentials' }, basic(chosen.client_id, 'p@ss: wörd+/=&'))).status).to.equal(200);
    expect((await token({ grant_type: 'client_credentials' }, basic(chosen.client_id, 'p@ss: wörd+/='))).status).to.equal(401);
  });

  it('refuses Basic and client_secret together, and a client_id that differs from Basic', async () => {
    const both = await token({ grant_type: 'client_credentials', client_secret: client.client_secret }, basic(client.client_id, client.client_secret));
    expect(both.status).to.equal(400);
    expect(both.body.error).to.equal('invalid_request');
    const differs = await token({ grant_type: 'client_credentials', client_id: 'other' }, basic(client.client_id, client.client_secret));
    expect(differs.body.error).to.equal('invalid_request');
  });

  it('refuses scope and audience beyond what the client registered', async () => {
    const auth = basic(client.client_id, client.client_secret);
    const scope = await token({ grant_type: 'client_credentials', scope: 'read admin' }, auth);
    expect(scope.status).to.equal(400);
    expect(scope.body.error).to.equal('invalid_scope');
    const audience = await token({ grant_type: 'client_credentials', audience: 'https://evil.example.com' }, auth);
    expect(audience.status).to.equal(400);
    expect(audience.body.error).to.equal('invalid_request');
    const prefix = await token({ grant_type: 'client_credentials', audience: 'https://api.example.com/admin' }, auth);
    expect(prefix.status).to.equal(400);
  });

  it('refuses a client without the grant (unauthorized_client) and a public client', async () => {
    const codeOnly = await createClient(t.adminUrl, { grant_types: ['authorization_code'], redirect_uris: ['https://app.example.com/cb'] });
    const res = await token({ grant_type: 'client_credentials' }, basic(codeOnly.client_id, codeOnly.client_secret));
    expect(res.status).to.equal(400);
    expect(res.body.error).to.equal('unauthorized_client');
    const pub = await createClient(t.adminUrl, { token_endpoint_auth_method: 'none', redirect_uris: ['https://app.example.com/cb'] });
    const asPublic = await token({ grant_type: 'client_credentials', client_id: pub.client_id });
    expect(asPublic.status).to.equal(400);
    expect(asPublic.body.error).to.equal('unauthorized_client');
  });

  it('answers malformed requests with invalid_request or unsupported_grant_type, never 500', async () => {
    const auth = basic(client.client_id, client.client_secret);
    expect((await token({}, auth)).body.error).to.equal('invalid_request');
    expect((await token({ grant_type: 'password' }, auth)).body.error).to.equal('unsupported_grant_type');
    const repeated = await request<{ error: string }>(t.publicUrl, 'POST', '/oauth2/token', {
      body: 'grant_type=client_credentials&scope=read&scope=write',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
    });
    expect(repeated.body.error).to.equal('invalid_request');
    const asJson = await request<{ error: string }>(t.publicUrl, 'POST', '/oauth2/token', { json: { grant_type: 'client_credentials' }, headers: { authorization: auth } });
    expect(asJson.status).to.equal(415);
    expect(asJson.body.error).to.equal('invalid_request');
    const nul = await request<{ error: string }>(t.publicUrl, 'POST', '/oauth2/token', {
      body: 'grant_type=client_credentials&client_id=a%00b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(nul.status).to.equal(400);
    expect((await request(t.publicUrl, 'GET', '/oauth2/token')).status).to.equal(405);
  });

  it('accepts repeated audience parameters', async () => {
    const multi = await createClient(t.adminUrl, { grant_types: ['client_credentials'], audience: ['https://a.example', 'https://b.example'] });
    const res = await request<Token>(t.publicUrl, 'POST', '/oauth2/token', {
      body: 'grant_type=client_credentials&audience=https%3A%2F%2Fa.example&audience=https%3A%2F%2Fb.example',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(multi.client_id, multi.client_secret) },
    });
    expect(res.status).to.equal(200);
    const info = await request<{ aud: string[] }>(t.adminUrl, 'POST', '/admin/oauth2/introspect', form({ token: res.body.access_token }));
    expect(info.body.aud).to.deep.equal(['https://a.example', 'https://b.example']);
  });

  it("uses the client's client_credentials lifespan", async () => {
    const short = await createClient(t.adminUrl, { grant_types: ['client_credentials'], client_credentials_grant_access_token_lifespan: '5m' });
    const res = await token({ grant_type: 'client_credentials' }, basic(short.client_id, short.client_secret));
    expect(res.body.expires_in).to.equal(300);
  });

  it('discovery advertises the token and revocation endpoints and this grant', async () => {
    const doc = await request<Record<string, unknown>>(t.publicUrl, 'GET', '/.well-known/openid-configuration');
    expect(doc.body['token_endpoint']).to.equal(`${t.config.urls.self.issuer}/oauth2/token`);
    expect(doc.body['revocation_endpoint']).to.equal(`${t.config.urls.self.issuer}/oauth2/revoke`);
    expect(doc.body['grant_types_supported']).to.include('client_credentials');
  });
});
