import { expect } from 'chai';
import { describeEachBackend } from '../../helpers/databases.js';
import { useTessera } from '../../helpers/tessera.js';
import { basic, createClient, form, type CreatedClient } from '../../helpers/clients.js';
import { request, type Answer } from '../../helpers/http.js';

/*
 * Answers carrying tokens or about tokens are never cached, failures
 * included (RFC 6749 §5.1; fosite sets Cache-Control: no-store and Pragma:
 * no-cache on every token endpoint answer). Issue 12, class 5: the token
 * endpoint's failures, revocation, userinfo and the admin API.
 */

function expectNoStore(answer: Answer, what: string): void {
  expect(answer.headers.get('cache-control'), what).to.match(/(^|, )no-store(,|$)/);
  expect(answer.headers.get('pragma'), what).to.equal('no-cache');
}

describeEachBackend('no-store on token answers', (backend) => {
  const harness = useTessera(backend);
  let client: CreatedClient;
  const auth = () => ({ ...form({}).headers, authorization: basic(client.client_id, client.client_secret) });

  before(async () => {
    client = await createClient(harness.t.adminUrl, { grant_types: ['client_credentials'], scope: 'read' });
  });

  it('token endpoint: successes and every kind of failure, in the lane and through koa', async () => {
    const cases: Array<[string, Parameters<typeof request>[3]]> = [
      ['a token', { body: 'grant_type=client_credentials', headers: auth() }],
      ['invalid_client', { body: 'grant_type=client_credentials', headers: { ...form({}).headers, authorization: basic(client.client_id, 'wrong') } }],
      ['invalid_grant', { body: 'grant_type=refresh_token&refresh_token=ory_rt_x.y', headers: auth() }],
      ['unsupported_grant_type', { body: 'grant_type=password', headers: auth() }],
      ['invalid_scope', { body: 'grant_type=client_credentials&scope=admin', headers: auth() }],
      ['invalid_request', { body: 'grant_type=a&grant_type=b', headers: auth() }],
      ['415', { body: '{}', headers: { 'content-type': 'application/json' } }],
      ['413', { body: `pad=${'x'.repeat(101 * 1024)}`, headers: form({}).headers }],
    ];
    for (const path of ['/oauth2/token', '/oauth2/token/']) {
      for (const [what, options] of cases) expectNoStore(await request(harness.t.publicUrl, 'POST', path, options), `${path} ${what}`);
    }
  });

  it('revocation: success and failures', async () => {
    const issued = await request<{ access_token: string }>(harness.t.publicUrl, 'POST', '/oauth2/token', { body: 'grant_type=client_credentials', headers: auth() });
    const cases: Array<[string, Parameters<typeof request>[3]]> = [
      ['a revocation', { body: `token=${issued.body.access_token}`, headers: auth() }],
      ['invalid_client', { body: 'token=x', headers: { ...form({}).headers, authorization: basic(client.client_id, 'wrong') } }],
      ['invalid_request', { body: '', headers: auth() }],
      ['415', { body: '{}', headers: { 'content-type': 'application/json' } }],
    ];
    for (const [what, options] of cases) expectNoStore(await request(harness.t.publicUrl, 'POST', '/oauth2/revoke', options), `revoke ${what}`);
  });

  it('userinfo: failures too', async () => {
    expectNoStore(await request(harness.t.publicUrl, 'GET', '/userinfo'), 'no token');
    expectNoStore(await request(harness.t.publicUrl, 'GET', '/userinfo', { headers: { authorization: 'Bearer ory_at_x.y' } }), 'bad token');
    expectNoStore(await request(harness.t.publicUrl, 'POST', '/userinfo', { body: '{}', headers: { 'content-type': 'application/json' } }), '415');
  });

  it('admin API: introspection in the lane and through koa, and any other admin answer', async () => {
    for (const path of ['/admin/oauth2/introspect', '/admin/oauth2/introspect/']) {
      expectNoStore(await request(harness.t.adminUrl, 'POST', path, { body: 'token=x', headers: form({}).headers }), path);
      expectNoStore(await request(harness.t.adminUrl, 'POST', path, { body: '', headers: form({}).headers }), `${path} without a token`);
    }
    expectNoStore(await request(harness.t.adminUrl, 'GET', `/admin/clients/${client.client_id}`), 'a client');
    expectNoStore(await request(harness.t.adminUrl, 'GET', '/admin/keys/hydra.openid.id-token'), 'private keys');
  });
});
