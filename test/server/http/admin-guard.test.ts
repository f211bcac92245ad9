import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Configuration, OAuth2Api } from '@ory/hydra-client';
import { TesseraAdmin, TesseraError } from '@tessera/sdk';
import { describeEachBackend } from '../../helpers/databases.js';
import { useTessera } from '../../helpers/tessera.js';
import { request, type Answer } from '../../helpers/http.js';
import { form } from '../../helpers/clients.js';
import { runCli } from '../../helpers/cli.js';
import { ConfigError, loadConfig } from '../../../server/src/config/load.js';

/*
 * Issue 12, class 6: the admin API's optional protection
 * (server/src/http/middleware/admin-guard.ts). A Host allow-list keeps a
 * DNS-rebinding page from reading it; bearer tokens keep anyone without one
 * out. Both off by default (Hydra's behaviour); the health probes stay open.
 */

const TOKEN = 'admin-token-0123456789abcdefghijklmnopqrstuvwxyz';
const SECOND = 'second-admin-token-for-rotation-0123456789abcdef';
const digest = (token: string) => createHash('sha256').update(token).digest('hex');
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const PRIVATE_KEYS = '/admin/keys/hydra.openid.id-token';

/** A request with a Host header of our choosing (fetch always sends the URL's). */
function withHost(base: string, method: string, path: string, host: string, body?: string): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host };
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** An HTTP/1.0 request without a Host header (HTTP/1.1 requires one, and node answers 400 itself). */
function withoutHost(base: string, path: string): Promise<string> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.end(`GET ${path} HTTP/1.0\r\n\r\n`));
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString()));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

/**
 * A request written byte for byte: several Host lines, bytes outside ASCII,
 * an absolute-form target. Answers the status and the body.
 */
function rawRequest(base: string, head: string | Buffer, body = ''): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  const bytes = Buffer.concat([
    Buffer.isBuffer(head) ? head : Buffer.from(head, 'latin1'),
    Buffer.from(`Connection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${body === '' ? '' : 'Content-Type: application/x-www-form-urlencoded\r\n'}\r\n${body}`),
  ]);
  return new Promise((resolve, reject) => {
    // Written, not ended: a half-closed socket may be dropped before a slower answer (the server closes it: Connection: close).
    const socket = connect(Number(url.port), url.hostname, () => socket.write(bytes));
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString()));
    socket.on('end', () => resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0), body: text.slice(text.indexOf('\r\n\r\n') + 4) }));
    socket.on('error', reject);
  });
}

/** A GET of /admin/clients and a POST of introspection (served by the fast lane), with these header lines. */
async function bothLanes(base: string, lines: string): Promise<Array<{ path: string; status: number; body: string }>> {
  const answers = [];
  for (const [method, path, body] of [['GET', '/admin/clients', ''], ['POST', '/admin/oauth2/introspect', 'token=ory_at_x'], ['POST', '/oauth2/introspect', 'token=ory_at_x']] as const) {
    answers.push({ path, ...(await rawRequest(base, `${method} ${path} HTTP/1.1\r\n${lines}`, body)) });
  }
  return answers;
}

function expectRefused(answer: Answer, status: number, error: string): void {
  expect(answer.status, answer.text).to.equal(status);
  expect(answer.body).to.have.property('error', error);
  expect(answer.text).not.to.match(/"d"|"p"|"q"/);
}

describeEachBackend('admin API protection: bearer tokens', (backend) => {
  const harness = useTessera(backend, { serve: { admin: { auth: { tokens: [digest(TOKEN), digest(SECOND).toUpperCase()] } } } });

  it('refuses a request without credentials: 401 request_unauthorized, a challenge without an error code', async () => {
    const res = await request(harness.t.adminUrl, 'GET', '/admin/clients');
    expectRefused(res, 401, 'request_unauthorized');
    expect(res.headers.get('www-authenticate')).to.equal('Bearer realm="tessera"');
  });

  it('refuses a wrong token, a Basic header and an empty Bearer: 401 and no private key material', async () => {
    const wrong = await request(harness.t.adminUrl, 'GET', PRIVATE_KEYS, { headers: bearer(`${TOKEN}x`) });
    expectRefused(wrong, 401, 'invalid_token');
    expect(wrong.headers.get('www-authenticate')).to.equal('Bearer realm="tessera", error="invalid_token"');
    const basic = await request(harness.t.adminUrl, 'GET', PRIVATE_KEYS, { headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` } });
    expectRefused(basic, 401, 'request_unauthorized');
    const empty = await request(harness.t.adminUrl, 'GET', PRIVATE_KEYS, { headers: { authorization: 'Bearer ' } });
    expectRefused(empty, 401, 'invalid_token');
    const digestItself = await request(harness.t.adminUrl, 'GET', PRIVATE_KEYS, { headers: bearer(digest(TOKEN)) });
    expectRefused(digestItself, 401, 'invalid_token');
  });

  it('answers with any configured token (digests in either case), scheme name case-insensitive', async () => {
    for (const headers of [bearer(TOKEN), bearer(SECOND), { authorization: `bearer ${TOKEN}` }]) {
      const res = await request(harness.t.adminUrl, 'GET', PRIVATE_KEYS, { headers });
      expect(res.status, res.text).to.equal(200);
    }
    const created = await request(harness.t.adminUrl, 'POST', '/admin/clients', { json: { client_name: 'guarded' }, headers: bearer(TOKEN) });
    expect(created.status, created.text).to.equal(201);
  });

  it('guards unknown paths, /version and the OpenAPI document, but not the health probes', async () => {
    for (const path of ['/admin/nothing-here', '/version', '/.well-known/openapi.json', '/admin/health/alive']) {
      expectRefused(await request(harness.t.adminUrl, 'GET', path), 401, 'request_unauthorized');
    }
    for (const path of ['/health/alive', '/health/ready', '/health/ready/']) {
      expect((await request(harness.t.adminUrl, 'GET', path)).status, path).to.equal(200);
    }
  });

  it('guards introspection on the fast lane and through koa alike', async () => {
    const body = form({ token: 'ory_at_not-a-token' });
    for (const path of ['/admin/oauth2/introspect', '/oauth2/introspect', '/admin/oauth2/introspect/']) {
      const refused = await request(harness.t.adminUrl, 'POST', path, body);
      expectRefused(refused, 401, 'request_unauthorized');
      expect(refused.headers.get('www-authenticate'), path).to.equal('Bearer realm="tessera"');
      const wrong = await request(harness.t.adminUrl, 'POST', path, { ...body, headers: { ...body.headers, ...bearer('nope') } });
      expectRefused(wrong, 401, 'invalid_token');
      const ok = await request(harness.t.adminUrl, 'POST', path, { ...body, headers: { ...body.headers, ...bearer(TOKEN) } });
      expect(ok.status, `${path}: ${ok.text}`).to.equal(200);
      expect(ok.body).to.deep.equal({ active: false });
    }
  });

  it('the SDK sends its token option; without one it gets a TesseraError 401', async () => {
    const admin = new TesseraAdmin({ baseUrl: harness.t.adminUrl, token: TOKEN });
    const client = await admin.createClient({ client_name: 'sdk' });
    expect((await admin.getClient(client.client_id)).client_name).to.equal('sdk');
    try {
      await new TesseraAdmin({ baseUrl: harness.t.adminUrl }).getClient(client.client_id);
      expect.fail('should be refused');
    } catch (err) {
      expect(err).to.be.instanceOf(TesseraError);
      expect(err).to.include({ status: 401, error: 'request_unauthorized' });
    }
  });

  it('@ory/hydra-client: accessToken alone is not sent to admin operations; the Authorization header is', async () => {
    const basePath = harness.t.adminUrl;
    const tokenOnly = new OAuth2Api(new Configuration({ basePath, accessToken: TOKEN }));
    const status = await tokenOnly.listOAuth2Clients().then(
      () => 200,
      (err: { response?: { status: number } }) => err.response?.status,
    );
    expect(status).to.equal(401);
    const hydra = new OAuth2Api(new Configuration({ basePath, accessToken: TOKEN, baseOptions: { headers: { Authorization: `Bearer ${TOKEN}` } } }));
    const created = await hydra.createOAuth2Client({ oAuth2Client: { client_name: 'hydra-client', grant_types: ['client_credentials'] } });
    expect(created.status).to.equal(201);
    const introspected = await hydra.introspectOAuth2Token({ token: 'ory_at_unknown' });
    expect(introspected.data.active).to.equal(false);
  });

  it('the CLI sends $TESSERA_ADMIN_TOKEN or the --token-file contents', async () => {
    const endpoint = harness.t.adminUrl;
    const none = await runCli(['clients', 'list', '-e', endpoint]);
    expect(none.code).to.equal(1);
    expect(none.stderr).to.match(/401: request_unauthorized/);
    const fromEnv = await runCli(['clients', 'list', '-e', endpoint], { env: { TESSERA_ADMIN_TOKEN: TOKEN } });
    expect(fromEnv.code, fromEnv.stderr).to.equal(0);
    const dir = mkdtempSync(join(tmpdir(), 'tessera-token-'));
    try {
      writeFileSync(join(dir, 'token'), `${SECOND}\n`, { mode: 0o600 });
      const fromFile = await runCli(['clients', 'list', '-e', endpoint, '--token-file', join(dir, 'token')]);
      expect(fromFile.code, fromFile.stderr).to.equal(0);
      const missing = await runCli(['clients', 'list', '-e', endpoint, '--token-file', join(dir, 'absent')]);
      expect(missing.code).to.equal(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeEachBackend('admin API protection: Host allow-list', (backend) => {
  const harness = useTessera(backend, { serve: { admin: { allowed_hosts: ['127.0.0.1', 'Admin.Internal.', '[::1]:4445', '::2'] } } });
  const admin = () => harness.t.adminUrl;
  const port = () => new URL(harness.t.adminUrl).port;

  it('answers listed hosts, with any port unless the entry names one; names compare canonically', async () => {
    for (const host of [`127.0.0.1:${port()}`, '127.0.0.1', 'admin.internal:4445', 'ADMIN.INTERNAL', 'admin.internal.', '[::1]:4445', '[0:0::1]:4445', '[::2]:80']) {
      const res = await withHost(admin(), 'GET', '/admin/clients', host);
      expect(res.status, `${host}: ${res.body}`).to.equal(200);
    }
  });

  it('a rebinding page (another Host) gets 421 and no private key material', async () => {
    for (const host of [`attacker.example:${port()}`, 'attacker.example', '[::1]:4446', '[::1]', 'admin.internal.attacker.example', '127.0.0.2']) {
      const res = await withHost(admin(), 'GET', PRIVATE_KEYS, host);
      expect(res.status, host).to.equal(421);
      expect(JSON.parse(res.body)).to.have.property('error', 'invalid_request');
      expect(res.body).not.to.match(/"d"/);
    }
  });

  it('introspection is guarded too (served by koa while the allow-list is on)', async () => {
    for (const path of ['/admin/oauth2/introspect', '/oauth2/introspect']) {
      const refused = await withHost(admin(), 'POST', path, 'attacker.example', 'token=ory_at_x');
      expect(refused.status, path).to.equal(421);
      const ok = await withHost(admin(), 'POST', path, '127.0.0.1', 'token=ory_at_x');
      expect(ok.status, path).to.equal(200);
    }
  });

  it('a malformed or missing Host is 400', async () => {
    for (const host of ['127.0.0.1@attacker.example', 'a b', '127.0.0.1:99999', '[::1', '127.0.0.1:']) {
      const res = await withHost(admin(), 'GET', '/admin/clients', host);
      expect(res.status, host).to.equal(400);
      expect(JSON.parse(res.body)).to.have.property('error', 'invalid_request');
    }
    const raw = await withoutHost(admin(), '/admin/clients');
    expect(raw).to.match(/^HTTP\/1\.[01] 400 /);
    expect(raw).to.include('"error":"invalid_request"');
  });

  it('two Host header lines are 400, whichever comes first, in koa and in the fast lane alike (RFC 9112 §3.2)', async () => {
    for (const lines of ['Host: 127.0.0.1\r\nHost: attacker.example\r\n', 'Host: attacker.example\r\nHost: 127.0.0.1\r\n', 'Host: 127.0.0.1\r\nhost: 127.0.0.1\r\n']) {
      for (const answer of await bothLanes(admin(), lines)) {
        expect(answer.status, `${answer.path} ${JSON.stringify(lines)}: ${answer.body}`).to.equal(400);
        expect(JSON.parse(answer.body)).to.have.property('error', 'invalid_request');
      }
    }
    // One line is still fine on every path.
    for (const answer of await bothLanes(admin(), 'Host: 127.0.0.1\r\n')) expect(answer.status, answer.path).to.equal(200);
  });

  it('a Host that is not printable ASCII is 400, not folded into a listed name', async () => {
    // \xAA is ª, which URL parsing folds to "a"; \xAD and \xC2\xAD are a soft hyphen, which it drops; \xA0 a
    // no-break space node does not trim. (Control characters node refuses itself, before any handler.)
    for (const host of ['\xAAdmin.internal', 'admin.\xADinternal', 'admin.\xC2\xADinternal', '127.0.0.1\xA0']) {
      for (const answer of await bothLanes(admin(), `Host: ${host}\r\n`)) {
        expect(answer.status, `${answer.path} ${JSON.stringify(host)}: ${answer.body}`).to.equal(400);
        expect(JSON.parse(answer.body)).to.have.property('error', 'invalid_request');
      }
    }
  });

  it('an absolute-form target is judged on its own authority, which wins over Host (RFC 9112 §3.2.2)', async () => {
    const send = (target: string, host: string, method = 'GET', body = '') => rawRequest(admin(), `${method} ${target} HTTP/1.1\r\nHost: ${host}\r\n`, body);
    for (const [method, path, body] of [['GET', '/admin/clients', ''], ['GET', PRIVATE_KEYS, ''], ['POST', '/admin/oauth2/introspect', 'token=ory_at_x']] as const) {
      const refused = await send(`http://evil.example${path}`, 'admin.internal', method, body);
      expect(refused.status, `${path}: ${refused.body}`).to.equal(421);
      expect(refused.body).not.to.match(/"d"/);
      expect((await send(`http://admin.internal${path}`, 'evil.example', method, body)).status, path).to.equal(200);
    }
    for (const target of ['http://admin.internal@evil.example/admin/clients', 'ftp://admin.internal/admin/clients', 'http:///admin/clients', 'admin.internal/admin/clients']) {
      const res = await send(target, 'admin.internal');
      expect(res.status, `${target}: ${res.body}`).to.equal(400);
    }
  });

  it('the health probes answer whatever the Host', async () => {
    for (const path of ['/health/alive', '/health/ready']) {
      expect((await withHost(admin(), 'GET', path, '10.0.0.7:4445')).status, path).to.equal(200);
    }
  });
});

describeEachBackend('admin API protection: off by default (Hydra-compatible)', (backend) => {
  const harness = useTessera(backend);

  it('answers any Host and no token', async () => {
    const res = await withHost(harness.t.adminUrl, 'GET', '/admin/clients', 'attacker.example');
    expect(res.status).to.equal(200);
    const lane = await withHost(harness.t.adminUrl, 'POST', '/admin/oauth2/introspect', 'attacker.example', 'token=ory_at_x');
    expect(lane.status).to.equal(200);
  });
});

describe('admin API protection: configuration', () => {
  const env = { DSN: 'memory', SECRETS_SYSTEM: 'a-system-secret-of-at-least-32-characters', URLS_SELF_ISSUER: 'https://auth.example.com' };
  const failure = (extra: Record<string, string>): string => {
    try {
      loadConfig({ env: { ...env, ...extra } });
    } catch (err) {
      if (err instanceof ConfigError) return err.message;
      throw err;
    }
    return expect.fail('expected a ConfigError');
  };

  it('reads SERVE_ADMIN_ALLOWED_HOSTS and SERVE_ADMIN_AUTH_TOKENS (comma-separated)', () => {
    const config = loadConfig({ env: { ...env, SERVE_ADMIN_ALLOWED_HOSTS: 'admin.internal, 127.0.0.1:4445, ::1', SERVE_ADMIN_AUTH_TOKENS: `${digest(TOKEN)},${digest(SECOND)}` } });
    expect(config.serve.admin.allowed_hosts.map((h) => [h.host, h.port])).to.deep.equal([['admin.internal', undefined], ['127.0.0.1', 4445], ['[::1]', undefined]]);
    expect(config.serve.admin.auth.tokens).to.deep.equal([digest(TOKEN), digest(SECOND)]);
    const open = loadConfig({ env });
    expect(open.serve.admin).to.deep.include({ allowed_hosts: [], auth: { tokens: [] } });
  });

  it('refuses a plain token where a digest belongs, and a host that is not one', () => {
    expect(failure({ SERVE_ADMIN_AUTH_TOKENS: TOKEN })).to.match(/^serve\.admin\.auth\.tokens\.0: .*SHA-256 hex digest/);
    expect(failure({ SERVE_ADMIN_ALLOWED_HOSTS: 'http://admin.internal/' })).to.match(/^serve\.admin\.allowed_hosts\.0: /);
    expect(failure({ SERVE_ADMIN_ALLOWED_HOSTS: 'admin.internal:0' })).to.match(/^serve\.admin\.allowed_hosts\.0: /);
  });
});
