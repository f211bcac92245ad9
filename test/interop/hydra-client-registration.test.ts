import { expect } from 'chai';
import { Configuration, OidcApi } from '@ory/hydra-client';
import { describeEachBackend } from '../helpers/databases.js';
import { startTessera, useTessera, type Running } from '../helpers/tessera.js';
import { basic, form } from '../helpers/clients.js';
import { request } from '../helpers/http.js';

/*
 * Issue 16 item 3: OpenID Connect Dynamic Client Registration (RFC 7591/7592)
 * as Hydra serves it, driven by @ory/hydra-client's OidcApi unchanged:
 * create → get → set (the registration access token rotates) → delete.
 */

async function status(call: Promise<unknown>): Promise<{ status: number; data: { error?: string; error_description?: string } }> {
  try {
    await call;
  } catch (err) {
    const e = err as { response?: { status: number; data: { error?: string; error_description?: string } } };
    return { status: e.response?.status ?? 0, data: e.response?.data ?? {} };
  }
  return expect.fail('the call should have been rejected');
}

describeEachBackend('@ory/hydra-client OidcApi: dynamic client registration', (backend) => {
  const h = useTessera(backend, { oidc: { dynamic_client_registration: { enabled: true, default_scope: ['openid', 'read'], max_per_minute: 8 } } });
  let t: Running;
  let oidc: OidcApi;
  before(() => {
    t = h.t;
    oidc = new OidcApi(new Configuration({ basePath: t.publicUrl }));
  });
  const withToken = (token: string) => new OidcApi(new Configuration({ basePath: t.publicUrl, accessToken: token }));

  it('registers, reads, updates (rotating the registration token) and deletes a client', async () => {
    const { data: created, status: code } = await oidc.createOidcDynamicClient({ oAuth2Client: { client_name: 'dcr', grant_types: ['client_credentials'], redirect_uris: [] } });
    expect(code).to.equal(201);
    expect(created.client_id).to.be.a('string');
    expect(created.client_secret).to.be.a('string');
    expect(created.scope).to.equal('openid read');
    expect(created.registration_client_uri).to.equal(`${t.config.urls.self.issuer}/oauth2/register/${created.client_id}`);
    const first = created.registration_access_token ?? '';
    expect(first).to.have.length.greaterThan(30);
    const id = created.client_id ?? '';

    // The client works at the token endpoint.
    const tok = await request<{ access_token?: string }>(t.publicUrl, 'POST', '/oauth2/token', {
      ...form({ grant_type: 'client_credentials', scope: 'read' }),
      headers: { ...form({}).headers, authorization: basic(id, created.client_secret ?? '') },
    });
    expect(tok.status, tok.text).to.equal(200);

    const { data: read } = await withToken(first).getOidcDynamicClient({ id });
    expect(read.client_name).to.equal('dcr');
    expect(read.client_secret).to.equal(undefined);
    expect(read.registration_access_token).to.equal(undefined);
    expect((read as Record<string, unknown>)['metadata']).to.equal(undefined);

    const { data: updated } = await withToken(first).setOidcDynamicClient({ id, oAuth2Client: { ...read, client_name: 'dcr renamed' } });
    expect(updated.client_name).to.equal('dcr renamed');
    const second = updated.registration_access_token ?? '';
    expect(second).to.be.a('string').and.not.equal(first);
    // The old token no longer works; the new one does.
    expect((await status(withToken(first).getOidcDynamicClient({ id }))).status).to.equal(401);
    expect((await withToken(second).getOidcDynamicClient({ id })).data.client_name).to.equal('dcr renamed');
    // The secret survives an update.
    const again = await request(t.publicUrl, 'POST', '/oauth2/token', { ...form({ grant_type: 'client_credentials' }), headers: { ...form({}).headers, authorization: basic(id, created.client_secret ?? '') } });
    expect(again.status).to.equal(200);

    expect((await withToken(second).deleteOidcDynamicClient({ id })).status).to.equal(204);
    expect((await request(t.adminUrl, 'GET', `/admin/clients/${id}`)).status).to.equal(404);
  });

  it('refuses what only an operator may set, chosen secrets and ids', async () => {
    for (const extra of [{ metadata: { a: 1 } }, { skip_consent: true }, { skip_logout_consent: true }, { access_token_strategy: 'jwt' }, { owner: 'me' }, { audience: ['https://api'] }, { client_credentials_grant_access_token_lifespan: '9999h' }, { client_secret: 'my own secret' }, { client_id: 'mine' }]) {
      const res = await request<{ error?: string }>(t.publicUrl, 'POST', '/oauth2/register', { json: { grant_types: ['client_credentials'], ...extra } });
      expect(res.status, JSON.stringify(extra)).to.equal(400);
    }
    const { data } = await oidc.createOidcDynamicClient({ oAuth2Client: { grant_types: ['client_credentials'] } });
    const res = await status(withToken(data.registration_access_token ?? '').setOidcDynamicClient({ id: data.client_id ?? '', oAuth2Client: { client_secret: 'chosen by me', grant_types: ['client_credentials'] } }));
    expect(res.status).to.equal(403);
  });

  it('answers 401 without the right registration access token, for a client the admin API created too', async () => {
    const { data } = await oidc.createOidcDynamicClient({ oAuth2Client: { grant_types: ['client_credentials'] } });
    const id = data.client_id ?? '';
    expect((await status(oidc.getOidcDynamicClient({ id }))).status).to.equal(401);
    expect((await status(withToken('wrong').deleteOidcDynamicClient({ id }))).status).to.equal(401);
    expect((await status(withToken(data.registration_access_token ?? '').getOidcDynamicClient({ id: 'someone-else' }))).status).to.equal(401);
    const admin = await request<{ client_id: string }>(t.adminUrl, 'POST', '/admin/clients', { json: { grant_types: ['client_credentials'] } });
    expect((await status(withToken(data.registration_access_token ?? '').getOidcDynamicClient({ id: admin.body.client_id }))).status).to.equal(401);
  });

  it('advertises the registration endpoint and throttles registrations per network', async () => {
    const disc = await request<{ registration_endpoint?: string }>(t.publicUrl, 'GET', '/.well-known/openid-configuration');
    expect(disc.body.registration_endpoint).to.equal(`${t.config.urls.self.issuer}/oauth2/register`);
    const answers: number[] = [];
    for (let i = 0; i < 10; i++) answers.push((await request(t.publicUrl, 'POST', '/oauth2/register', { json: { grant_types: ['client_credentials'] } })).status);
    expect(answers).to.include(429);
    expect(answers.filter((s) => s === 201).length).to.be.at.most(8);
  });

  it('answers 404 when dynamic registration is off (the default)', async () => {
    const off = await startTessera(h.db);
    try {
      const res = await request<{ error?: string }>(off.publicUrl, 'POST', '/oauth2/register', { json: { grant_types: ['client_credentials'] } });
      expect(res.status).to.equal(404);
      const disc = await request<Record<string, unknown>>(off.publicUrl, 'GET', '/.well-known/openid-configuration');
      expect(disc.body['registration_endpoint']).to.equal(undefined);
    } finally {
      await off.stop();
    }
  });
});
