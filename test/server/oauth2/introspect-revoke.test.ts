import { expect } from 'chai';
import { describeEachBackend, type Database } from '../../helpers/databases.js';
import { startTessera, TEST_SECRET, type Running } from '../../helpers/tessera.js';
import { request } from '../../helpers/http.js';
import { runCli } from '../../helpers/cli.js';
import { basic, createClient, form, type CreatedClient } from '../../helpers/clients.js';
import { createTokenStrategy } from '../../../server/src/tokens/hmac.js';

interface Introspection {
  active: boolean;
  [claim: string]: unknown;
}

describeEachBackend('introspection and revocation', (backend) => {
  let db: Database;
  let t: Running;
  let client: CreatedClient;
  let other: CreatedClient;

  const issue = async (c: CreatedClient, scope = 'read write') => {
    const f = form({ grant_type: 'client_credentials', scope });
    const res = await request<{ access_token: string }>(t.publicUrl, 'POST', '/oauth2/token', {
      body: f.body,
      headers: { ...f.headers, authorization: basic(c.client_id, c.client_secret) },
    });
    expect(res.status, res.text).to.equal(200);
    return res.body.access_token;
  };
  const introspect = (token: string, extra: Record<string, string> = {}) =>
    request<Introspection>(t.adminUrl, 'POST', '/admin/oauth2/introspect', form({ token, ...extra }));
  const revoke = (token: string, c: CreatedClient | undefined) => {
    const f = form({ token });
    return request<{ error?: string }>(t.publicUrl, 'POST', '/oauth2/revoke', {
      body: f.body,
      headers: { ...f.headers, ...(c ? { authorization: basic(c.client_id, c.client_secret) } : {}) },
    });
  };

  before(async () => {
    db = await backend.create();
    t = await startTessera(db);
    client = await createClient(t.adminUrl, { grant_types: ['client_credentials'], scope: 'read write', audience: ['https://api.example.com'] });
    other = await createClient(t.adminUrl, { grant_types: ['client_credentials'], scope: 'read' });
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  it("answers an active token with Hydra's fields", async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await introspect(await issue(client));
    expect(res.status).to.equal(200);
    expect(res.body).to.include({
      active: true,
      scope: 'read write',
      client_id: client.client_id,
      sub: client.client_id,
      iss: t.config.urls.self.issuer,
      token_type: 'Bearer',
      token_use: 'access_token',
    });
    expect(res.body['aud']).to.deep.equal([]);
    expect(res.body['iat']).to.be.within(before - 1, before + 2);
    expect(res.body['exp']).to.equal((res.body['iat'] as number) + 3600);
  });

  it('with scope, is active only when the token has every scope named', async () => {
    const token = await issue(client, 'read');
    expect((await introspect(token, { scope: 'read' })).body.active).to.equal(true);
    expect((await introspect(token, { scope: 'read write' })).body).to.deep.equal({ active: false });
  });

  it('answers {"active": false} for garbage, forged, foreign-secret and code-prefixed tokens', async () => {
    const real = await issue(client);
    const forged = real.slice(0, -3) + (real.endsWith('AAA') ? 'BBB' : 'AAA');
    const foreign = createTokenStrategy(['some-other-system-secret-of-32-chars!!']).mint('access_token').token;
    const wellSignedUnknown = createTokenStrategy([TEST_SECRET]).mint('access_token').token;
    const code = createTokenStrategy([TEST_SECRET]).mint('authorization_code').token;
    for (const token of ['x', 'ory_at_', forged, foreign, wellSignedUnknown, code, 'ä'.repeat(2000)]) {
      const res = await introspect(token);
      expect(res.status).to.equal(200);
      expect(res.body, token).to.deep.equal({ active: false });
    }
  });

  it('is inactive once the token expires', async () => {
    const brief = await createClient(t.adminUrl, { grant_types: ['client_credentials'], client_credentials_grant_access_token_lifespan: '1s' });
    const token = await issue(brief, '');
    expect((await introspect(token)).body.active).to.equal(true);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await introspect(token)).body).to.deep.equal({ active: false });
  });

  it('refuses malformed introspection requests: 400, and 415 for a body that is not a form', async () => {
    const missing = await request<{ error: string }>(t.adminUrl, 'POST', '/admin/oauth2/introspect', form({}));
    expect(missing.status).to.equal(400);
    expect(missing.body.error).to.equal('invalid_request');
    const json = await request<{ error: string }>(t.adminUrl, 'POST', '/admin/oauth2/introspect', { json: { token: 'x' } });
    expect(json.status).to.equal(415);
    expect(json.body.error).to.equal('invalid_request');
  });

  it('revokes an access token: 200 with an empty body, then inactive', async () => {
    const token = await issue(client);
    const res = await revoke(token, client);
    expect(res.status).to.equal(200);
    expect(res.text).to.equal('');
    expect((await introspect(token)).body).to.deep.equal({ active: false });
    expect((await revoke(token, client)).status).to.equal(200);
  });

  it("refuses to revoke another client's token, which stays active", async () => {
    const token = await issue(client);
    const res = await revoke(token, other);
    expect(res.status).to.equal(400);
    expect(res.body.error).to.equal('unauthorized_client');
    expect((await introspect(token)).body.active).to.equal(true);
  });

  it('answers 200 for unknown or malformed tokens, and 401 without client authentication', async () => {
    expect((await revoke('ory_at_unknown', client)).status).to.equal(200);
    expect((await revoke(createTokenStrategy([TEST_SECRET]).mint('refresh_token').token, client)).status).to.equal(200);
    const anonymous = await revoke(await issue(client), undefined);
    expect(anonymous.status).to.equal(401);
    expect(anonymous.body.error).to.equal('invalid_client');
  });

  it('takes a token whose prefix was swapped for no token of ours: nothing revoked, as introspection says inactive', async () => {
    // The HMAC covers the body, not the prefix: only the stored kind says what a token is.
    const token = await issue(client);
    const swapped = `ory_rt_${token.slice('ory_at_'.length)}`;
    expect((await introspect(swapped)).body).to.deep.equal({ active: false });
    expect((await revoke(swapped, client)).status).to.equal(200);
    expect((await introspect(token)).body.active, 'the access token sent as a refresh token was not revoked').to.equal(true);
  });

  it("deleting a client revokes its tokens", async () => {
    const doomed = await createClient(t.adminUrl, { grant_types: ['client_credentials'], scope: 'read' });
    const token = await issue(doomed, 'read');
    expect((await introspect(token)).body.active).to.equal(true);
    expect((await request(t.adminUrl, 'DELETE', `/admin/clients/${doomed.client_id}`)).status).to.equal(204);
    expect((await introspect(token)).body).to.deep.equal({ active: false });
  });

  it('keeps tokens valid across a secret rotation (new secret first, old one still listed)', async () => {
    const token = await issue(client);
    await t.stop();
    t = await startTessera(db, { secrets: { system: ['a-brand-new-system-secret-of-32-chars!!', TEST_SECRET] } });
    expect((await introspect(token)).body.active).to.equal(true);
    const fresh = await issue(client);
    expect((await introspect(fresh)).body.active).to.equal(true);
    // README "System secret rotation": re-seal the keys before the old secret goes.
    const rotated = await runCli(['secrets', 'rotate'], { env: { DSN: db.dsn, SECRETS_SYSTEM: `a-brand-new-system-secret-of-32-chars!!,${TEST_SECRET}` } });
    expect(rotated.code, rotated.stderr).to.equal(0);
    await t.stop();
    t = await startTessera(db, { secrets: { system: ['a-brand-new-system-secret-of-32-chars!!'] } });
    expect((await introspect(token)).body).to.deep.equal({ active: false });
    expect((await introspect(fresh)).body.active).to.equal(true);
  });
});
