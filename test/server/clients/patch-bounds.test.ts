import { expect } from 'chai';
import { describeEachBackend } from '../../helpers/databases.js';
import { useTessera, type Running } from '../../helpers/tessera.js';
import { request, type Answer } from '../../helpers/http.js';

/*
 * PATCH /admin/clients/{id} is bounded like the body it arrives in: RFC 6902
 * `copy` (§4.5) duplicates a subtree, so 20 copies in a 1.2 KB patch grew a
 * document a million times. At most 100 operations, and after every one the
 * document must fit BODY_LIMIT (100 KB serialised) and MAX_JSON_DEPTH (64
 * levels); past that 400 invalid_request, and the stored client is unchanged.
 */

type Client = Record<string, unknown>;
interface ErrorBody {
  error: string;
  error_description: string;
}

describeEachBackend('JSON Patch bounds on PATCH /admin/clients/{id}', (backend) => {
  const harness = useTessera(backend);
  let t: Running;

  before(() => {
    t = harness.t;
  });

  const call = (method: string, path: string, json?: unknown) => request<Client>(t.adminUrl, method, path, { json });

  async function made(metadata: unknown): Promise<Client> {
    const res = await call('POST', '/admin/clients', { client_name: 'bounded', redirect_uris: ['https://rp.example.com/cb'], metadata });
    expect(res.status, res.text).to.equal(201);
    const { client_secret: _s, ...shown } = res.body;
    return shown;
  }

  async function expectRefusedUnchanged(client: Client, patch: unknown[], mentions: string): Promise<Answer> {
    const res = await call('PATCH', `/admin/clients/${String(client['client_id'])}`, patch);
    expect(res.status, res.text.slice(0, 300)).to.equal(400);
    expect((res.body as unknown as ErrorBody).error).to.equal('invalid_request');
    expect((res.body as unknown as ErrorBody).error_description).to.include(mentions);
    const after = await call('GET', `/admin/clients/${String(client['client_id'])}`);
    expect(after.body).to.deep.equal(client);
    return res;
  }

  it('refuses 20 doubling copies once the document passes 100 KB, early and without storing anything', async () => {
    const client = await made({ pad: 'x'.repeat(40) });
    const patch = Array.from({ length: 20 }, (_, i) => ({ op: 'copy', from: '/metadata', path: `/metadata/c${i}` }));
    expect(JSON.stringify(patch).length).to.be.below(1300);
    const started = process.hrtime.bigint();
    await expectRefusedUnchanged(client, patch, 'larger than 102400 bytes');
    // Without the bound this builds 40 MB first; with it the request is over in a blink (generous for a loaded machine).
    expect(Number(process.hrtime.bigint() - started) / 1e6).to.be.below(1000);
  });

  it('refuses a document that an `add` of a large value pushes past 100 KB', async () => {
    const client = await made({});
    const big = 'y'.repeat(60 * 1024);
    await expectRefusedUnchanged(client, [
      { op: 'add', path: '/metadata/a', value: big },
      { op: 'copy', from: '/metadata/a', path: '/metadata/b' },
    ], 'operation 1');
  });

  it('refuses copies that nest the document past 64 levels', async () => {
    const client = await made({});
    // Each copy puts the whole metadata object one level further down: depth grows by one, size barely.
    const patch = Array.from({ length: 70 }, () => ({ op: 'copy', from: '/metadata', path: '/metadata/m' }));
    await expectRefusedUnchanged(client, patch, 'nest more than 64 levels');
  });

  it('refuses more than 100 operations, and accepts 100', async () => {
    const client = await made({});
    const test = { op: 'test', path: '/client_name', value: 'bounded' };
    await expectRefusedUnchanged(client, Array.from({ length: 101 }, () => test), 'at most 100');
    const res = await call('PATCH', `/admin/clients/${String(client['client_id'])}`, [
      ...Array.from({ length: 99 }, () => test),
      { op: 'replace', path: '/client_name', value: 'patched' },
    ]);
    expect(res.status, res.text).to.equal(200);
    expect(res.body['client_name']).to.equal('patched');
  });
});
