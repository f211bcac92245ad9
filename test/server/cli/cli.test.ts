import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startServe, waitUntilReady, type Served } from '../../helpers/cli.js';
import { freePort, freePorts } from '../../helpers/ports.js';
import { TEST_SECRET } from '../../helpers/tessera.js';

describe('tessera CLI', function () {
  this.timeout(60_000);
  let dir: string;
  const dsn = () => `sqlite://${join(dir, 'cli.sqlite')}`;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('version prints the version and exits 0', async () => {
    const r = await runCli(['version']);
    expect(r.code).to.equal(0);
    expect(r.stdout.trim()).to.match(/^\d+\.\d+\.\d+/);
  });

  it('help exits 0; no command, an unknown command or flag exit 2', async () => {
    expect((await runCli(['help'])).code).to.equal(0);
    expect((await runCli(['--help'])).stdout).to.include('tessera serve all|public|admin').and.include('tessera config validate [--config FILE]');
    const none = await runCli([]);
    expect(none.code).to.equal(2);
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.match(/unknown command "frobnicate"/);
    expect((await runCli(['version', '--no-such-flag'])).code).to.equal(2);
    expect((await runCli(['serve'])).code).to.equal(2);
    expect((await runCli(['serve', 'everything'])).code).to.equal(2);
    expect((await runCli(['migrate', 'sideways', '--dsn', 'memory'])).code).to.equal(2);
    expect((await runCli(['clients', 'explode'])).code).to.equal(2);
  });

  it('serve without --dev stops on missing or bad configuration with exit 2', async () => {
    const noDsn = await runCli(['serve', 'all']);
    expect(noDsn.code).to.equal(2);
    expect(noDsn.stderr).to.match(/^config error: dsn: is required/m);
    const noSecret = await runCli(['serve', 'all'], { env: { DSN: 'memory', URLS_SELF_ISSUER: 'https://a.example' } });
    expect(noSecret.code).to.equal(2);
    expect(noSecret.stderr).to.match(/^config error: secrets\.system: is required/m);
    const short = await runCli(['serve', 'all'], { env: { DSN: 'memory', URLS_SELF_ISSUER: 'https://a.example', SECRETS_SYSTEM: 'short' } });
    expect(short.stderr).to.match(/^config error: secrets\.system\.0: each secret must be at least 32 characters/m);
    const badFile = await runCli(['serve', 'all', '--config', join(dir, 'nope.yaml')]);
    expect(badFile.code).to.equal(2);
    expect(badFile.stderr).to.match(/^config error: --config: cannot read/m);
  });

  it('migrate status, up and down work on a DSN, and serve refuses an unmigrated schema with exit 1', async () => {
    const env = { DSN: dsn() };
    const before = await runCli(['migrate', 'status'], { env });
    expect(before.code).to.equal(0);
    expect(before.stdout).to.match(/^pending\s+\d+_initial$/m);

    const serveEnv = { ...env, SECRETS_SYSTEM: TEST_SECRET, URLS_SELF_ISSUER: 'http://127.0.0.1:1', SERVE_PUBLIC_PORT: '0', SERVE_ADMIN_PORT: '0' };
    const refused = await runCli(['serve', 'all'], { env: serveEnv });
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.match(/not up to date.*tessera migrate up/);

    const up = await runCli(['migrate', 'up'], { env });
    expect(up.code).to.equal(0);
    expect(up.stdout).to.match(/^applied\s+\d+_initial$/m);
    expect((await runCli(['migrate', 'up'], { env })).stdout.trim()).to.equal('nothing to do');
    expect((await runCli(['migrate', 'status', '--dsn', dsn()])).stdout).to.match(/^applied\s+\d+_initial$/m);

    const newest = [...up.stdout.matchAll(/^applied\s+(\S+)$/gm)].map((m) => m[1]).pop();
    const down = await runCli(['migrate', 'down'], { env });
    expect(down.code).to.equal(0);
    expect(down.stdout.trim()).to.equal(`rolled back  ${newest}`);
    expect((await runCli(['migrate', 'status'], { env })).stdout).to.match(new RegExp(`^pending\\s+${newest}$`, 'm'));
  });

  it('config validate prints ok or every problem (exit 0/2); serve stops on a mistyped key with one line (issue 19, item 3)', async () => {
    const env = { DSN: 'memory', SECRETS_SYSTEM: TEST_SECRET, URLS_SELF_ISSUER: 'https://auth.example.com' };
    const ok = await runCli(['config', 'validate'], { env });
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stdout).to.equal('ok\n');
    expect(ok.stderr).to.equal('');

    const file = join(dir, 'typo.yaml');
    writeFileSync(file, ['serve:', '  publc:', '    port: 4444', 'ttl:', '  access_token: forever'].join('\n'));
    const bad = await runCli(['config', 'validate', '--config', file], { env: { ...env, LOG_LEVLE: 'debug', NODE_ENV: 'production' } });
    expect(bad.code).to.equal(2);
    expect(bad.stdout).to.equal('');
    expect(bad.stderr.trimEnd().split('\n')).to.deep.equal([
      'config error: serve.publc.port: unknown key; did you mean `serve.public.port`?',
      'config error: LOG_LEVLE: unknown environment variable; did you mean `LOG_LEVEL`?',
      'config error: ttl.access_token: must be a duration such as "1h", "30m" or "720h"',
    ]);

    const served = await runCli(['serve', 'all', '--config', file], { env });
    expect(served.code).to.equal(2);
    expect(served.stderr).to.equal('config error: serve.publc.port: unknown key; did you mean `serve.public.port`?\n');
    const envTypo = await runCli(['serve', 'all'], { env: { ...env, SERVE_PUBLIC_PROT: '1' } });
    expect(envTypo.code).to.equal(2);
    expect(envTypo.stderr).to.equal('config error: SERVE_PUBLIC_PROT: unknown environment variable; did you mean `SERVE_PUBLIC_PORT`?\n');

    expect((await runCli(['config'])).code).to.equal(2);
    expect((await runCli(['config', 'validate', '--dev'])).code).to.equal(2);
    const missing = await runCli(['config', 'validate', '--config', join(dir, 'nope.yaml')]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.match(/^config error: --config: cannot read/);
  });

  it('DSN=memory serves without --dev (it migrates itself); migrate, janitor, secrets and --workers 2 refuse it with exit 2 (issue 19, item 4)', async () => {
    const [p = 0, a = 0] = await freePorts(2);
    const env = { DSN: 'memory', SECRETS_SYSTEM: TEST_SECRET, URLS_SELF_ISSUER: `http://127.0.0.1:${p}`, SERVE_PUBLIC_PORT: String(p), SERVE_ADMIN_PORT: String(a) };
    const served = startServe(['all'], { env });
    try {
      await waitUntilReady(`http://127.0.0.1:${a}/health/ready`, served);
      const created = await runCli(['clients', 'create', '-e', `http://127.0.0.1:${a}`, '--id', 'in-memory', '--grant-type', 'client_credentials']);
      expect(created.code, created.stderr).to.equal(0);
      const { client_secret: secret } = JSON.parse(created.stdout) as { client_secret: string };
      const token = await fetch(`http://127.0.0.1:${p}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`in-memory:${secret}`).toString('base64')}` },
        body: 'grant_type=client_credentials',
      });
      expect(token.status).to.equal(200);
    } finally {
      served.child.kill('SIGTERM');
      expect(await served.exited).to.equal(0);
    }
    expect(served.output()).to.match(/DSN=memory: the schema was created at start/);
    for (const args of [['migrate', 'up', '--dsn', 'memory'], ['migrate', 'status'], ['janitor'], ['secrets', 'rotate']]) {
      const r = await runCli(args, { env });
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.stderr, args.join(' ')).to.match(/^config error: dsn: memory is a database inside one `tessera serve` process.*sqlite:\/\/<path> or postgres:\/\/…$/m);
    }
    const workers = await runCli(['serve', 'all', '--workers', '2'], { env });
    expect(workers.code).to.equal(2);
    expect(workers.stderr).to.match(/^config error: dsn: --workers 2: memory is a database inside one/m);
  });

  it('migrate without a DSN is a config error; an unreachable database is exit 1', async () => {
    const none = await runCli(['migrate', 'status']);
    expect(none.code).to.equal(2);
    expect(none.stderr).to.match(/^config error: dsn/m);
    const unreachable = await runCli(['migrate', 'status', '--dsn', 'postgres://nobody@127.0.0.1:1/none']);
    expect(unreachable.code).to.equal(1);
    expect(unreachable.stderr).to.equal('database error: cannot connect to PostgreSQL at 127.0.0.1:1 (ECONNREFUSED): is it running? check dsn\n');
  });

  describe('serve --dev and the clients commands', () => {
    let served: Served;
    let admin: string;
    let publicUrl: string;
    let home: string;

    before(async () => {
      home = mkdtempSync(join(tmpdir(), 'tessera-serve-'));
      const [p = 0, a = 0] = await freePorts(2);
      served = startServe(['all', '--dev'], { cwd: home, env: { SERVE_PUBLIC_PORT: String(p), SERVE_ADMIN_PORT: String(a), LOG_LEVEL: 'warn' } });
      admin = `http://127.0.0.1:${a}`;
      publicUrl = `http://127.0.0.1:${p}`;
      await waitUntilReady(`${admin}/health/ready`, served);
    });
    after(async () => {
      if (served.child.exitCode === null) served.child.kill('SIGKILL');
      rmSync(home, { recursive: true, force: true });
    });

    it('serves discovery with the dev issuer, and JWKS', async () => {
      const doc = (await (await fetch(`${publicUrl}/.well-known/openid-configuration`)).json()) as { issuer: string };
      expect(doc.issuer).to.equal(publicUrl);
      const jwks = (await (await fetch(`${publicUrl}/.well-known/jwks.json`)).json()) as { keys: unknown[] };
      expect(jwks.keys).to.have.length(1);
    });

    it('clients create, list, get and delete go through the admin API', async () => {
      const created = await runCli([
        'clients', 'create', '--endpoint', admin, '--id', 'cli-client', '--name', 'From the CLI',
        '--redirect-uri', 'http://127.0.0.1:9999/cb', '--grant-type', 'authorization_code', '--grant-type', 'refresh_token',
        '--scope', 'openid offline_access',
      ]);
      expect(created.code, created.stderr).to.equal(0);
      const client = JSON.parse(created.stdout) as { client_id: string; client_secret: string; grant_types: string[] };
      expect(client.client_id).to.equal('cli-client');
      expect(client.client_secret).to.have.length.of.at.least(43);
      expect(client.grant_types).to.deep.equal(['authorization_code', 'refresh_token']);

      const listed = await runCli(['clients', 'list', '-e', admin]);
      expect((JSON.parse(listed.stdout) as Array<{ client_id: string }>).map((c) => c.client_id)).to.include('cli-client');
      const got = await runCli(['clients', 'get', 'cli-client'], { env: { TESSERA_ADMIN_URL: admin } });
      expect(JSON.parse(got.stdout)).to.include({ client_id: 'cli-client', client_name: 'From the CLI' });
      expect(JSON.parse(got.stdout)).not.to.have.property('client_secret');

      const dup = await runCli(['clients', 'create', '-e', admin, '--id', 'cli-client']);
      expect(dup.code).to.equal(1);
      expect(dup.stderr).to.match(/409: conflict/);
      const bad = await runCli(['clients', 'create', '-e', admin, '--redirect-uri', 'http://x/cb#frag']);
      expect(bad.code).to.equal(1);
      expect(bad.stderr).to.match(/400: invalid_redirect_uri/);

      expect((await runCli(['clients', 'delete', 'cli-client', '-e', admin])).code).to.equal(0);
      expect((await runCli(['clients', 'get', 'cli-client', '-e', admin])).code).to.equal(1);
      expect((await runCli(['clients', 'get', '-e', admin])).code).to.equal(2);
    });

    it('clients against an endpoint nobody listens on exits 1', async () => {
      const r = await runCli(['clients', 'list', '-e', `http://127.0.0.1:${await freePort()}`]);
      expect(r.code).to.equal(1);
    });

    it('SIGTERM drains an in-flight request, then exits 0', async () => {
      // A request whose body is still arriving when SIGTERM lands must still be answered.
      const pending = fetch(`${admin}/admin/clients`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: new ReadableStream({
          async start(controller) {
            controller.enqueue(new TextEncoder().encode('{"client_name":'));
            await new Promise((r) => setTimeout(r, 500));
            controller.enqueue(new TextEncoder().encode('"late"}'));
            controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      await new Promise((r) => setTimeout(r, 150));
      served.child.kill('SIGTERM');
      const res = await pending;
      expect(res.status).to.equal(201);
      expect(await served.exited).to.equal(0);
      expect(served.output()).not.to.match(/"level":50/);
    });
  });
});
