import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { Configuration, OAuth2Api, type OAuth2Client } from '@ory/hydra-client';
import { describeEachBackend, type Database } from '../helpers/databases.js';
import { startTessera, type Running } from '../helpers/tessera.js';

/*
 * Wire compatibility with Ory Hydra v2 (DESIGN.md "Wire contract"): Ory's own
 * generated SDK, unchanged, drives /admin/clients. If this suite passes, an
 * existing Hydra admin integration works against Tessera.
 */

interface HttpFailure {
  readonly status: number;
  readonly data: { error?: unknown; error_description?: unknown };
}

const uid = () => randomBytes(5).toString('hex');

/** The axios error a rejected SDK call carries, with its HTTP answer. */
async function failure(call: Promise<unknown>): Promise<HttpFailure> {
  try {
    await call;
  } catch (err) {
    const e = err as { isAxiosError?: boolean; response?: { status: number; data: HttpFailure['data'] } };
    expect(e.isAxiosError, String(err)).to.equal(true);
    expect(e.response, 'an HTTP answer').to.not.equal(undefined);
    return { status: e.response?.status ?? 0, data: e.response?.data ?? {} };
  }
  return expect.fail('the call should have been rejected');
}

/** The page_token of the RFC 8288 rel="next" link, if any. */
function nextToken(link: unknown): string | undefined {
  const target = /<([^>]*)>;\s*rel="next"/.exec(String(link ?? ''))?.[1];
  return target === undefined ? undefined : (new URL(target, 'http://x').searchParams.get('page_token') ?? undefined);
}

describeEachBackend('@ory/hydra-client OAuth2Api against the admin API', (backend) => {
  let db: Database;
  let t: Running;
  let hydra: OAuth2Api;

  before(async () => {
    db = await backend.create();
    t = await startTessera(db);
    hydra = new OAuth2Api(new Configuration({ basePath: t.adminUrl }));
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  const sample = (extra: OAuth2Client = {}): OAuth2Client => ({
    client_name: 'interop app',
    redirect_uris: ['https://app.example.com/cb'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    scope: 'openid offline_access',
    audience: ['https://api.example.com'],
    metadata: { source: 'hydra-client' },
    ...extra,
  });

  it('createOAuth2Client answers 201 with the client and its generated secret', async () => {
    const res = await hydra.createOAuth2Client({ oAuth2Client: sample() });
    expect(res.status).to.equal(201);
    expect(res.data.client_id).to.be.a('string').and.not.equal('');
    expect(res.data.client_secret).to.match(/^[A-Za-z0-9_-]{43,}$/);
    expect(res.data).to.include({ client_name: 'interop app', scope: 'openid offline_access', token_endpoint_auth_method: 'client_secret_basic' });
    expect(res.data.grant_types).to.deep.equal(['authorization_code', 'refresh_token']);
    expect(res.data.metadata).to.deep.equal({ source: 'hydra-client' });
  });

  it('createOAuth2Client keeps a chosen id and secret; a public client gets none', async () => {
    const id = `interop-${uid()}`;
    const chosen = await hydra.createOAuth2Client({ oAuth2Client: sample({ client_id: id, client_secret: 'chosen-secret-123' }) });
    expect(chosen.data).to.include({ client_id: id, client_secret: 'chosen-secret-123' });
    const pub = await hydra.createOAuth2Client({ oAuth2Client: sample({ token_endpoint_auth_method: 'none' }) });
    expect(pub.data).not.to.have.property('client_secret');
  });

  it('getOAuth2Client returns what was created, without the secret', async () => {
    const { data: created } = await hydra.createOAuth2Client({ oAuth2Client: sample() });
    const res = await hydra.getOAuth2Client({ id: created.client_id ?? '' });
    expect(res.status).to.equal(200);
    const { client_secret: _secret, ...shown } = created;
    expect(res.data).to.deep.equal(shown);
  });

  it('listOAuth2Clients pages with pageSize and the next pageToken, and filters by owner and clientName', async () => {
    const owner = `interop-owner-${uid()}`;
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await hydra.createOAuth2Client({ oAuth2Client: sample({ owner, client_name: `n${i % 2}` }) })).data.client_id ?? '');
    const seen: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const res = await hydra.listOAuth2Clients({ pageSize: 2, owner, ...(pageToken === undefined ? {} : { pageToken }) });
      expect(res.status).to.equal(200);
      expect(String(res.headers['x-total-count'])).to.equal('5');
      seen.push(...res.data.map((c) => c.client_id ?? ''));
      for (const c of res.data) expect(c).not.to.have.property('client_secret');
      pageToken = nextToken(res.headers['link']);
      if (++pages > 5) throw new Error('pagination does not end');
    } while (pageToken !== undefined);
    expect(pages).to.equal(3);
    expect(seen).to.have.length(5);
    expect(new Set(seen)).to.deep.equal(ids);

    const named = await hydra.listOAuth2Clients({ owner, clientName: 'n0' });
    expect(named.data).to.have.length(3);
    expect(named.data.every((c) => c.client_name === 'n0')).to.equal(true);
  });

  it('setOAuth2Client replaces the client and keeps the secret', async () => {
    const { data: created } = await hydra.createOAuth2Client({ oAuth2Client: sample({ contacts: ['a@example.com'] }) });
    const id = created.client_id ?? '';
    const res = await hydra.setOAuth2Client({ id, oAuth2Client: { client_id: id, client_name: 'replaced', redirect_uris: ['https://app.example.com/new'] } });
    expect(res.status).to.equal(200);
    expect(res.data).to.include({ client_id: id, client_name: 'replaced', scope: 'offline_access offline openid' });
    expect(res.data.contacts).to.deep.equal([]);
    expect(res.data).not.to.have.property('client_secret');
    expect(res.data.created_at).to.equal(created.created_at);
  });

  it('setOAuth2Client takes back, unchanged, a client read with getOAuth2Client (read-modify-write)', async () => {
    const { data: created } = await hydra.createOAuth2Client({ oAuth2Client: sample() });
    const id = created.client_id ?? '';
    const { data: read } = await hydra.getOAuth2Client({ id });
    const res = await hydra.setOAuth2Client({ id, oAuth2Client: { ...read, client_name: 'edited' } });
    expect(res.status).to.equal(200);
    const { updated_at: _u1, ...after } = res.data;
    const { updated_at: _u2, ...before } = read;
    expect(after).to.deep.equal({ ...before, client_name: 'edited' });
  });

  it('patchOAuth2Client applies a JSON Patch', async () => {
    const { data: created } = await hydra.createOAuth2Client({ oAuth2Client: sample() });
    const res = await hydra.patchOAuth2Client({
      id: created.client_id ?? '',
      jsonPatch: [
        { op: 'replace', path: '/client_name', value: 'patched' },
        { op: 'add', path: '/redirect_uris/-', value: 'https://app.example.com/two' },
        { op: 'add', path: '/metadata/extra', value: 1 },
      ],
    });
    expect(res.status).to.equal(200);
    expect(res.data.client_name).to.equal('patched');
    expect(res.data.redirect_uris).to.deep.equal(['https://app.example.com/cb', 'https://app.example.com/two']);
    expect(res.data.metadata).to.deep.equal({ source: 'hydra-client', extra: 1 });
  });

  it('setOAuth2ClientLifespans sets the lifespans', async () => {
    const { data: created } = await hydra.createOAuth2Client({ oAuth2Client: sample() });
    const id = created.client_id ?? '';
    const lifespans = { authorization_code_grant_access_token_lifespan: '30m', refresh_token_grant_refresh_token_lifespan: '720h', client_credentials_grant_access_token_lifespan: '1h' };
    const res = await hydra.setOAuth2ClientLifespans({ id, oAuth2ClientTokenLifespans: lifespans });
    expect(res.status).to.equal(200);
    expect(res.data).to.include(lifespans);
    expect((await hydra.getOAuth2Client({ id })).data).to.include(lifespans);
  });

  it('deleteOAuth2Client answers 204, and getOAuth2Client then rejects with 404 not_found', async () => {
    const { data: created } = await hydra.createOAuth2Client({ oAuth2Client: sample() });
    const id = created.client_id ?? '';
    expect((await hydra.deleteOAuth2Client({ id })).status).to.equal(204);
    const gone = await failure(hydra.getOAuth2Client({ id }));
    expect(gone.status).to.equal(404);
    expect(gone.data.error).to.equal('not_found');
    expect((await failure(hydra.deleteOAuth2Client({ id }))).status).to.equal(404);
  });

  it('errors reach the SDK as axios errors in Hydra\'s shape', async () => {
    const id = `dup-${uid()}`;
    await hydra.createOAuth2Client({ oAuth2Client: sample({ client_id: id }) });
    const dup = await failure(hydra.createOAuth2Client({ oAuth2Client: sample({ client_id: id }) }));
    expect(dup.status).to.equal(409);
    expect(dup.data.error).to.equal('conflict');

    const bad = await failure(hydra.createOAuth2Client({ oAuth2Client: sample({ redirect_uris: ['https://app.example.com/cb#frag'] }) }));
    expect(bad.status).to.equal(400);
    expect(bad.data.error).to.equal('invalid_redirect_uri');
    expect(bad.data.error_description).to.be.a('string').that.includes('redirect_uris');

    const badPatch = await failure(hydra.patchOAuth2Client({ id, jsonPatch: [{ op: 'replace', path: '/client_id', value: 'other' }] }));
    expect(badPatch.status).to.equal(400);

    const badLifespan = await failure(hydra.setOAuth2ClientLifespans({ id, oAuth2ClientTokenLifespans: { authorization_code_grant_access_token_lifespan: 'forever' } }));
    expect(badLifespan.status).to.equal(400);
    expect(badLifespan.data.error).to.equal('invalid_request');
  });
});
