import { expect } from 'chai';
import * as oidc from 'openid-client';
import { describeEachBackend } from '../../helpers/databases.js';
import { useTessera, type Running } from '../../helpers/tessera.js';
import { basic, createClient, form, type CreatedClient } from '../../helpers/clients.js';
import { request, type Answer } from '../../helpers/http.js';
import { runCli } from '../../helpers/cli.js';
import { connect } from '../../../server/src/storage/knex/index.js';

/*
 * Issue 16 item 5 (an extension): POST /admin/clients/{id}/secret generates a
 * new secret, shown once, and the previous one keeps working until
 * previous_secret_expires_at; then only the new one does. Time is a fake
 * clock handed to the server. Both secrets are hashed at rest.
 */

type Json = { error?: string; access_token?: string; client_secret?: string; previous_secret_expires_at?: string };
const HOUR = 3_600_000;

describeEachBackend('client secret rotation with a grace period', (backend) => {
  let now = Date.parse('2026-12-02T00:00:00Z');
  const clock = { now: () => now };
  const h = useTessera(backend, { oauth2: { client_secret_rotation: { grace_period: '2h' } } }, { clock });
  let t: Running;
  before(() => (t = h.t));

  const token = (c: { client_id: string }, secret: string): Promise<Answer<Json>> =>
    request<Json>(t.publicUrl, 'POST', '/oauth2/token', { ...form({ grant_type: 'client_credentials', scope: 'read' }), headers: { ...form({}).headers, authorization: basic(c.client_id, secret) } });
  const post = (c: { client_id: string }, secret: string): Promise<Answer<Json>> =>
    request<Json>(t.publicUrl, 'POST', '/oauth2/token', form({ grant_type: 'client_credentials', scope: 'read', client_id: c.client_id, client_secret: secret }));
  const rotate = (id: string, body?: unknown) => request<Json>(t.adminUrl, 'POST', `/admin/clients/${encodeURIComponent(id)}/secret`, body === undefined ? {} : { json: body });

  it('keeps the previous (chosen) secret valid for the grace period, then only the new one', async () => {
    const c = await createClient(t.adminUrl, { grant_types: ['client_credentials'], scope: 'read', client_secret: 'an operator chose this' });
    expect((await token(c, c.client_secret)).status).to.equal(200);
    const rotated = await rotate(c.client_id, { grace_period: '1h' });
    expect(rotated.status, rotated.text).to.equal(200);
    const fresh = rotated.body.client_secret ?? '';
    expect(fresh).to.have.length.greaterThan(30).and.not.equal(c.client_secret);
    expect(rotated.body.previous_secret_expires_at).to.equal(new Date(now + HOUR).toISOString());
    // Never shown again.
    const read = await request<Json>(t.adminUrl, 'GET', `/admin/clients/${c.client_id}`);
    expect(read.body.client_secret).to.equal(undefined);
    expect(read.text).not.to.include('previous_secret');

    expect((await token(c, fresh)).status).to.equal(200);
    expect((await token(c, c.client_secret)).status).to.equal(200);
    now += HOUR - 1000;
    expect((await token(c, c.client_secret)).status).to.equal(200);
    now += 2000;
    const late = await token(c, c.client_secret);
    expect(late.status).to.equal(401);
    expect(late.body.error).to.equal('invalid_client');
    expect((await token(c, fresh)).status).to.equal(200);
  });

  it('uses the configured grace period by default; 0s ends the previous secret at once', async () => {
    const c = await createClient(t.adminUrl, { grant_types: ['client_credentials'], scope: 'read', token_endpoint_auth_method: 'client_secret_post' });
    const first = await rotate(c.client_id);
    expect(first.body.previous_secret_expires_at).to.equal(new Date(now + 2 * HOUR).toISOString());
    const second = await rotate(c.client_id, { grace_period: '0s' });
    expect(second.body.previous_secret_expires_at).to.equal(undefined);
    expect((await post(c, first.body.client_secret ?? '')).status).to.equal(401);
    expect((await post(c, c.client_secret)).status).to.equal(401);
    expect((await post(c, second.body.client_secret ?? '')).status).to.equal(200);
  });

  it('stores both secrets hashed; a PUT keeps the rotation, a PUT with a new secret ends it', async () => {
    const c = await createClient(t.adminUrl, { client_name: 'put', grant_types: ['client_credentials'], scope: 'read' });
    const rotated = await rotate(c.client_id);
    const conn = connect(h.db.dsn);
    try {
      const row = await conn.knex('clients').where('id', c.client_id).first<{ secret_hash: string; previous_secret_hash: string }>();
      expect(row.secret_hash).to.match(/^sha256\$/);
      expect(row.previous_secret_hash).to.match(/^sha256\$/);
      expect(JSON.stringify(row)).not.to.include(c.client_secret).and.not.to.include(rotated.body.client_secret);
    } finally {
      await conn.knex.destroy();
    }
    const put = (body: Record<string, unknown>) => request(t.adminUrl, 'PUT', `/admin/clients/${c.client_id}`, { json: { grant_types: ['client_credentials'], scope: 'read', ...body } });
    await put({ client_name: 'renamed' });
    expect((await token(c, c.client_secret)).status).to.equal(200);
    await put({ client_secret: 'a brand new chosen one' });
    expect((await token(c, c.client_secret)).status).to.equal(401);
    expect((await token(c, rotated.body.client_secret ?? '')).status).to.equal(401);
    expect((await token(c, 'a brand new chosen one')).status).to.equal(200);
  });

  it('rotates a client_secret_jwt secret (sealed); both MAC keys work during the grace period', async () => {
    // openid-client signs with the real time: here the server's clock is the real one too.
    const saved = now;
    now = Date.now();
    const c = await createClient(t.adminUrl, { grant_types: ['client_credentials'], scope: 'read', token_endpoint_auth_method: 'client_secret_jwt' });
    const rotated = await rotate(c.client_id);
    const grant = (secret: string) => {
      const config = new oidc.Configuration({ issuer: t.config.urls.self.issuer, token_endpoint: `${t.publicUrl}/oauth2/token` }, c.client_id, {}, oidc.ClientSecretJwt(secret));
      oidc.allowInsecureRequests(config);
      return oidc.clientCredentialsGrant(config, { scope: 'read' });
    };
    try {
      expect((await grant(rotated.body.client_secret ?? '')).access_token).to.match(/^ory_at_/);
      expect((await grant(c.client_secret)).access_token).to.match(/^ory_at_/);
      // A second rotation without grace: only its secret MACs now.
      const last = await rotate(c.client_id, { grace_period: '0s' });
      expect((await grant(last.body.client_secret ?? '')).access_token).to.match(/^ory_at_/);
      for (const old of [c.client_secret, rotated.body.client_secret ?? '']) {
        const refused = await grant(old).then(() => undefined, (err: unknown) => err);
        expect(refused, 'the old secret still authenticates').to.be.instanceOf(Error);
        expect((refused as { status?: number }).status).to.equal(401);
      }
    } finally {
      now = saved;
    }
  });

  it('refuses to rotate what has no secret, and unknown clients', async () => {
    const pub = await createClient(t.adminUrl, { token_endpoint_auth_method: 'none', redirect_uris: ['http://127.0.0.1/cb'] });
    expect((await rotate(pub.client_id)).status).to.equal(400);
    expect((await rotate('nobody')).status).to.equal(404);
    expect((await rotate(pub.client_id, { grace_period: 'soon' })).status).to.equal(400);
  });

  it('tessera clients rotate-secret prints the new secret', async () => {
    const c: CreatedClient = await createClient(t.adminUrl, { grant_types: ['client_credentials'], scope: 'read' });
    const run = await runCli(['clients', 'rotate-secret', c.client_id, '--grace-period', '30m', '--endpoint', t.adminUrl]);
    expect(run.code, run.stderr).to.equal(0);
    const printed = JSON.parse(run.stdout) as Json;
    expect(printed.previous_secret_expires_at).to.equal(new Date(now + HOUR / 2).toISOString());
    expect((await token(c, printed.client_secret ?? '')).status).to.equal(200);
    expect((await token(c, c.client_secret)).status).to.equal(200);
  });
});
