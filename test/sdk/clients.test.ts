import { expect } from 'chai';
import { lifespanFields, TesseraAdmin, type OAuth2Client } from '@tessera/sdk';
import { describeEachBackend, type Database } from '../helpers/databases.js';
import { startTessera, type Running } from '../helpers/tessera.js';
import { recordingFetch, rejection, uid } from './support.js';

describeEachBackend('sdk: TesseraAdmin clients', (backend) => {
  let db: Database;
  let t: Running;
  let admin: TesseraAdmin;

  before(async () => {
    db = await backend.create();
    t = await startTessera(db);
    admin = new TesseraAdmin({ baseUrl: t.adminUrl });
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  it('createClient answers the client with its generated secret; getClient never shows the secret', async () => {
    const created = await admin.createClient({ client_name: 'SDK app', redirect_uris: ['https://app.example/cb'], scope: 'openid email' });
    expect(created.client_secret).to.be.a('string').with.length.above(30);
    expect(created).to.include({ client_name: 'SDK app', scope: 'openid email', token_endpoint_auth_method: 'client_secret_basic' });
    expect(created.redirect_uris).to.deep.equal(['https://app.example/cb']);
    const read = await admin.getClient(created.client_id);
    expect(read).not.to.have.property('client_secret');
    expect(read).to.include({ client_id: created.client_id, client_name: 'SDK app' });
  });

  it('encodes client ids in paths', async () => {
    const id = `sdk/odd?#&%2F${uid()}`;
    const created = await admin.createClient({ client_id: id });
    expect(created.client_id).to.equal(id);
    expect((await admin.getClient(id)).client_id).to.equal(id);
    await admin.deleteClient(id);
    expect((await rejection(admin.getClient(id))).status).to.equal(404);
  });

  it('replaceClient replaces the fields, patchClient applies JSON Patch, deleteClient removes it', async () => {
    const { client_id: id } = await admin.createClient({ client_name: 'before', contacts: ['a@example.com'] });
    const replaced = await admin.replaceClient(id, { client_name: 'replaced', owner: 'team-sdk' });
    expect(replaced).to.include({ client_id: id, client_name: 'replaced', owner: 'team-sdk' });
    expect(replaced.contacts).to.deep.equal([]);

    const patched = await admin.patchClient(id, [
      { op: 'replace', path: '/client_name', value: 'patched' },
      { op: 'add', path: '/contacts/-', value: 'ops@example.com' },
      { op: 'add', path: '/metadata', value: { tier: 'gold' } },
    ]);
    expect(patched).to.include({ client_name: 'patched', owner: 'team-sdk' });
    expect(patched.contacts).to.deep.equal(['ops@example.com']);
    expect(patched.metadata).to.deep.equal({ tier: 'gold' });
    expect((await admin.getClient(id)).client_name).to.equal('patched');

    await admin.deleteClient(id);
    const gone = await rejection(admin.getClient(id));
    expect(gone).to.include({ status: 404, error: 'not_found' });
  });

  it('setClientLifespans sets the lifespans as a whole', async () => {
    const { client_id: id } = await admin.createClient({});
    const all = Object.fromEntries(lifespanFields.map((field, i) => [field, `${i + 1}h`]));
    const set = await admin.setClientLifespans(id, all);
    expect(set).to.include(all);
    const again = await admin.setClientLifespans(id, { client_credentials_grant_access_token_lifespan: '5m' });
    expect(again.client_credentials_grant_access_token_lifespan).to.equal('5m');
    expect(again.authorization_code_grant_access_token_lifespan ?? null).to.equal(null);
    expect((await admin.getClient(id)).client_credentials_grant_access_token_lifespan).to.equal('5m');
  });

  describe('listing', () => {
    const owner = `pager-${uid()}`;
    const ids: string[] = [];
    before(async () => {
      for (let i = 0; i < 5; i++) ids.push((await admin.createClient({ owner, client_name: `paged ${i}` })).client_id);
    });

    it('listClients returns one page, the next page token and the total', async () => {
      const first = await admin.listClients({ owner, page_size: 2 });
      expect(first.clients).to.have.length(2);
      expect(first.total).to.equal(5);
      expect(first.nextPageToken).to.be.a('string');
      const second = await admin.listClients({ owner, page_size: 2, page_token: first.nextPageToken });
      expect(second.clients).to.have.length(2);
      expect(second.clients.map((c) => c.client_id)).not.to.include.members(first.clients.map((c) => c.client_id));
      const byName = await admin.listClients({ client_name: 'paged 3', owner });
      expect(byName.clients.map((c) => c.client_id)).to.deep.equal([ids[3]]);
      expect(byName).to.include({ total: 1, nextPageToken: undefined });
    });

    it('iterateClients walks every page (5 clients, page size 2: three requests)', async () => {
      const recorder = recordingFetch();
      const counted = new TesseraAdmin({ baseUrl: t.adminUrl, fetch: recorder.fetch });
      const seen: OAuth2Client[] = [];
      for await (const client of counted.iterateClients({ owner, page_size: 2 })) seen.push(client);
      expect(seen.map((c) => c.client_id)).to.have.members(ids);
      expect(seen).to.have.length(5);
      expect(recorder.urls).to.have.length(3);
      expect(recorder.urls.every((u) => u.includes(`owner=${owner}`) && u.includes('page_size=2'))).to.equal(true);
    });

    it('iterateClients stops early when the loop breaks', async () => {
      const recorder = recordingFetch();
      const counted = new TesseraAdmin({ baseUrl: t.adminUrl, fetch: recorder.fetch });
      for await (const client of counted.iterateClients({ owner, page_size: 2 })) {
        expect(ids).to.include(client.client_id);
        break;
      }
      expect(recorder.urls).to.have.length(1);
    });
  });

  describe('errors', () => {
    it('404: status, error, description and the request id of the answer', async () => {
      const recorder = recordingFetch();
      const err = await rejection(new TesseraAdmin({ baseUrl: t.adminUrl, fetch: recorder.fetch }).getClient(`missing-${uid()}`));
      expect(err).to.include({ name: 'TesseraError', status: 404, error: 'not_found', redirectTo: undefined });
      expect(err.error_description).to.be.a('string');
      expect(err.requestId).to.be.a('string').and.equal(recorder.lastRequestId());
      expect(err.message).to.contain('HTTP 404 not_found');
    });

    it('409 on a taken client_id, with the request id the caller sent', async () => {
      const id = `taken-${uid()}`;
      await admin.createClient({ client_id: id });
      const traced = new TesseraAdmin({ baseUrl: t.adminUrl, headers: { 'X-Request-Id': 'sdk-trace-409' } });
      const err = await rejection(traced.createClient({ client_id: id }));
      expect(err).to.include({ status: 409, error: 'conflict', requestId: 'sdk-trace-409' });
    });

    it('400 names the offending field', async () => {
      const badUri = await rejection(admin.createClient({ redirect_uris: ['https://app.example/cb#fragment'] }));
      expect(badUri).to.include({ status: 400, error: 'invalid_redirect_uri' });
      expect(badUri.error_description).to.contain('redirect_uris');

      const { client_id: id } = await admin.createClient({});
      const badLifespan = await rejection(admin.setClientLifespans(id, { refresh_token_grant_access_token_lifespan: 'forever' }));
      expect(badLifespan).to.include({ status: 400, error: 'invalid_request' });
      expect(badLifespan.error_description).to.contain('refresh_token_grant_access_token_lifespan');
      expect(badLifespan.requestId).to.be.a('string');

      const badPatch = await rejection(admin.patchClient(id, [{ op: 'replace', path: '/grant_types', value: ['implicit'] }]));
      expect(badPatch).to.include({ status: 400 });
      expect(badPatch.error_description).to.contain('grant_types');
    });
  });
});
