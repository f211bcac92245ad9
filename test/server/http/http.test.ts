import { expect } from 'chai';
import { request as httpRequest } from 'node:http';
import { describeEachBackend, type Database } from '../../helpers/databases.js';
import { startTessera, type Running } from '../../helpers/tessera.js';
import { request } from '../../helpers/http.js';

describeEachBackend('HTTP plumbing', (backend) => {
  let db: Database;
  let t: Running;

  before(async () => {
    db = await backend.create();
    t = await startTessera(db);
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  for (const port of ['public', 'admin'] as const) {
    const base = () => (port === 'public' ? t.publicUrl : t.adminUrl);

    it(`${port}: /health/alive, /health/ready and /version answer`, async () => {
      expect((await request(base(), 'GET', '/health/alive')).body).to.deep.equal({ status: 'ok' });
      expect((await request(base(), 'GET', '/health/ready')).body).to.deep.equal({ status: 'ok' });
      const version = await request<{ version: string }>(base(), 'GET', '/version');
      expect(version.status).to.equal(200);
      expect(version.body.version).to.match(/^\d+\.\d+\.\d+/);
    });

    it(`${port}: echoes a plain X-Request-Id and mints one otherwise`, async () => {
      const given = await request(base(), 'GET', '/health/alive', { headers: { 'x-request-id': 'abc-123' } });
      expect(given.headers.get('x-request-id')).to.equal('abc-123');
      const minted = await request(base(), 'GET', '/health/alive', { headers: { 'x-request-id': 'bad id\twith tab' } });
      expect(minted.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
    });

    it(`${port}: unknown paths get a JSON 404 in the Hydra error shape`, async () => {
      const res = await request(base(), 'GET', '/no/such/thing');
      expect(res.status).to.equal(404);
      expect(res.body).to.include({ error: 'not_found' });
      expect(res.body).to.have.property('error_description').that.is.a('string');
    });
  }

  it('admin: a wrong method gets 405 with the error shape', async () => {
    const res = await request(t.adminUrl, 'PATCH', '/admin/keys/some-set');
    expect(res.status).to.equal(405);
    expect(res.body).to.include({ error: 'method_not_allowed' });
  });

  it('admin: malformed JSON is a 400 invalid_request, not a 500', async () => {
    const res = await request(t.adminUrl, 'POST', '/admin/clients', {
      body: '{"client_name": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).to.equal(400);
    expect(res.body).to.include({ error: 'invalid_request' });
    expect(res.text).not.to.match(/at .*\.ts:\d+/);
  });

  it('admin: a body over 100 KB is refused with 413', async () => {
    const big = JSON.stringify({ client_name: 'x'.repeat(101 * 1024) });
    const res = await request(t.adminUrl, 'POST', '/admin/clients', { body: big, headers: { 'content-type': 'application/json' } });
    expect(res.status).to.equal(413);
    expect(res.body).to.include({ error: 'request_entity_too_large' });
  });

  it('public: a streamed body (no Content-Length) past 100 KB is refused with 413 without reading the rest', async () => {
    const url = new URL('/oauth2/token', t.publicUrl);
    const answer = await new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
      const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
      });
      req.on('error', reject);
      const chunk = `grant_type=client_credentials&pad=${'x'.repeat(16 * 1024)}`;
      let sent = 0;
      // Keep sending (up to 10 MB) until the server answers; it must answer long before.
      const pump = () => {
        while (sent < 10 * 1024 * 1024 && !req.destroyed) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(answer.status).to.equal(413);
    expect(JSON.parse(answer.body)).to.include({ error: 'request_entity_too_large' });
    expect(answer.connection).to.equal('close');
  });

  it('admin: a body of another media type is refused with 415', async () => {
    const res = await request(t.adminUrl, 'POST', '/admin/clients', { body: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).to.equal(415);
    expect(res.body).to.include({ error: 'unsupported_media_type' });
  });

  it('admin: paths without the /admin prefix reach the admin routes, as in Hydra', async () => {
    const res = await request(t.adminUrl, 'GET', '/clients');
    expect(res.status).to.equal(200);
    expect(res.headers.get('cache-control')).to.equal('private, no-cache, no-store, must-revalidate');
  });

  it('admin: a trailing slash is trimmed', async () => {
    expect((await request(t.adminUrl, 'GET', '/admin/clients/')).status).to.equal(200);
  });

  it('/health/ready trial-decrypts the stored keys at most once per interval, however many probes arrive on both ports', async () => {
    // Counts the key checks (each starts its walk over the sealed keys at 0); the real store still answers.
    const keys = t.tessera.storage.keys;
    const listSealed = keys.listSealed.bind(keys);
    let checks = 0;
    keys.listSealed = async (after, limit) => {
      if (after === 0) checks += 1;
      return listSealed(after, limit);
    };
    try {
      const probes = Array.from({ length: 100 }, (_, i) => request(i % 2 === 0 ? t.publicUrl : t.adminUrl, 'GET', '/health/ready'));
      const answers = await Promise.all(probes);
      expect(answers.map((a) => a.status)).to.deep.equal(answers.map(() => 200));
      // One check, or two if the flood happened to straddle the end of an interval (5 s); uncached it was 100.
      expect(checks).to.be.within(0, 2);
    } finally {
      keys.listSealed = listSealed;
    }
  });

  it('/health/ready answers 503 once the database is gone, /health/alive still 200', async () => {
    const ownDb = await backend.create();
    const own = await startTessera(ownDb);
    await own.tessera.storage.close();
    const ready = await request(own.publicUrl, 'GET', '/health/ready');
    expect(ready.status).to.equal(503);
    expect(ready.body).to.have.nested.property('errors.database');
    expect((await request(own.adminUrl, 'GET', '/health/alive')).status).to.equal(200);
    await own.stop().catch(() => undefined);
    await ownDb.drop();
  });
});
