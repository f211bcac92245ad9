import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CLI, runCli, startServe, waitUntilReady, type Served } from '../../helpers/cli.js';
import { describeEachBackend, type Database } from '../../helpers/databases.js';
import { freePort, freePorts } from '../../helpers/ports.js';
import { TEST_SECRET } from '../../helpers/tessera.js';

/** Issue 19, item 2: what `tessera serve` prints, through the compiled CLI (stdout is a pipe here, never a terminal). */

async function serveUntilReady(args: string[], env: Record<string, string>, cwd?: string): Promise<{ served: Served; publicPort: number; adminPort: number }> {
  const [publicPort = 0, adminPort = 0] = await freePorts(2);
  const served = startServe(args, { cwd, env: { SERVE_PUBLIC_PORT: String(publicPort), SERVE_ADMIN_PORT: String(adminPort), ...env } });
  try {
    await waitUntilReady(`http://127.0.0.1:${adminPort}/health/ready`, served);
  } finally {
    served.child.kill('SIGTERM');
    await served.exited;
  }
  return { served, publicPort, adminPort };
}

describe('tessera serve logs (issue 19, item 2)', function () {
  this.timeout(60_000);

  it('without --dev and a terminal, every stdout line is a JSON object; one start-up line names version, database, schema, issuer, ports and workers', async () => {
    const issuerPort = await freePort();
    const { served, publicPort, adminPort } = await serveUntilReady(['all'], { DSN: 'memory', SECRETS_SYSTEM: TEST_SECRET, URLS_SELF_ISSUER: `http://127.0.0.1:${issuerPort}` });
    const lines = served.output().trimEnd().split('\n');
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const started = records.filter((r) => typeof r['msg'] === 'string' && /^tessera \S+ started$/.test(r['msg']));
    expect(started, served.output()).to.have.length(1);
    expect(started[0]).to.include({
      level: 30,
      database: 'memory',
      issuer: `http://127.0.0.1:${issuerPort}`,
      public: `http://127.0.0.1:${publicPort}`,
      admin: `http://127.0.0.1:${adminPort}`,
      workers: 1,
    });
    expect(started[0]?.['version']).to.match(/^\d+\.\d+\.\d+/);
    expect(started[0]?.['schema']).to.match(/^migrated \(\d+ applied\)$/);
    // The DSN=memory warning is logged once, not also written to stderr.
    expect(served.output().match(/DSN=memory: the schema was created/g)).to.have.length(1);
  });

  it('on a terminal (without --dev) the lines are readable too', async function () {
    // util-linux `script` gives the server a pseudo-terminal as stdout, as an operator's shell would.
    if (!existsSync('/usr/bin/script')) {
      console.warn('\n  ⚠ skipping: /usr/bin/script (util-linux) is not installed, so there is no pseudo-terminal to give the server\n');
      this.skip();
    }
    const [p = 0, a = 0] = await freePorts(2);
    const env = { PATH: process.env['PATH'] ?? '', DSN: 'memory', SECRETS_SYSTEM: TEST_SECRET, URLS_SELF_ISSUER: `http://127.0.0.1:${p}`, SERVE_PUBLIC_PORT: String(p), SERVE_ADMIN_PORT: String(a) };
    const child = spawn('/usr/bin/script', ['-qfec', `'${process.execPath}' '${CLI}' serve all`, '/dev/null'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    const served: Served = { child, output: () => out, exited: exited.then(() => child.exitCode) };
    try {
      await waitUntilReady(`http://127.0.0.1:${a}/health/ready`, served);
      // The start-up line may follow readiness by a moment (buffered logs), longer on a loaded machine.
      for (let i = 0; i < 100 && !/ started version=/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    expect(out).to.match(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}tessera \S+ started version=\S+ database=memory location="in this process" /m);
    expect(out).not.to.match(/^\{/m);
  });

  it('with --dev --workers 2, the --dev warning and the start-up line (workers=2) come once', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tessera-logs-workers-'));
    const [p = 0, a = 0] = await freePorts(2);
    const served = startServe(['all', '--dev', '--workers', '2'], { cwd: home, env: { SERVE_PUBLIC_PORT: String(p), SERVE_ADMIN_PORT: String(a) } });
    try {
      await waitUntilReady(`http://127.0.0.1:${a}/health/ready`, served);
      // Whichever worker answered first, the first one's line follows within moments.
      for (let i = 0; i < 100 && !/ started version=/.test(served.output()); i++) await new Promise((r) => setTimeout(r, 100));
    } finally {
      served.child.kill('SIGTERM');
      await served.exited;
      rmSync(home, { recursive: true, force: true });
    }
    const out = served.output();
    expect(out.match(/running with --dev: never use this in production/g), out).to.have.length(1);
    expect(out.match(/ INFO {2}tessera \S+ started .* workers=2$/gm), out).to.have.length(1);
  });

  it('a PostgreSQL port nothing listens on is one line naming the host and the fix, exit 1, no stack and no password', async () => {
    const port = await freePort();
    const env = { DSN: `postgres://tessera:pw-never-shown@127.0.0.1:${port}/tessera`, SECRETS_SYSTEM: TEST_SECRET, URLS_SELF_ISSUER: 'https://auth.example.com' };
    const r = await runCli(['serve', 'all'], { env });
    expect(r.code).to.equal(1);
    expect(r.stdout).not.to.include('pw-never-shown');
    expect(r.stderr).to.equal(`database error: cannot connect to PostgreSQL at 127.0.0.1:${port} (ECONNREFUSED): is it running? check dsn\n`);
    // The same class of failure from the commands that open the database themselves.
    for (const args of [['migrate', 'status'], ['janitor']]) {
      const other = await runCli(args, { env });
      expect(other.code, args.join(' ')).to.equal(1);
      expect(other.stderr, args.join(' ')).to.equal(`database error: cannot connect to PostgreSQL at 127.0.0.1:${port} (ECONNREFUSED): is it running? check dsn\n`);
    }
  });

  it('a PostgreSQL that refuses the role or has no such database is one line with the fix, exit 1', async function () {
    const pg = process.env['TEST_PG_DSN'];
    if (!pg) {
      console.warn('\n  ⚠ skipping: TEST_PG_DSN is not set, so there is no PostgreSQL to refuse a role (CI sets it)\n');
      this.skip();
    }
    const env = { SECRETS_SYSTEM: TEST_SECRET, URLS_SELF_ISSUER: 'https://auth.example.com' };
    const role = new URL(pg);
    role.username = 'no_such_role_tessera';
    role.password = 'pw-never-shown';
    const database = new URL(pg);
    database.pathname = '/no_such_database_tessera';
    for (const [dsn, reason] of [[role, /role "no_such_role_tessera" does not exist/], [database, /database "no_such_database_tessera" does not exist/]] as const) {
      const r = await runCli(['serve', 'all'], { env: { ...env, DSN: dsn.toString() } });
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/^database error: PostgreSQL refused the connection: .+: check dsn\n$/);
      expect(r.stderr).to.match(reason);
      expect(r.stderr + r.stdout).not.to.include('pw-never-shown');
    }
  });

  describeEachBackend('--dev prints readable single lines', (backend) => {
    let db: Database;
    let home: string;
    // describeEachBackend skips (and says why) when the backend is not available.
    before(async () => {
      db = await backend.create();
      home = mkdtempSync(join(tmpdir(), 'tessera-logs-'));
    });
    after(async () => {
      await db?.drop();
      if (home) rmSync(home, { recursive: true, force: true });
    });

    it('local time, level, message and key fields; the database location without user or password', async () => {
      const url = new URL(db.dsn);
      if (backend.name === 'postgres') {
        // Trust authentication ignores the password, so it can stand in the DSN for the test.
        url.username = url.username || 'postgres';
        url.password = 'pw-never-shown';
      }
      const dsn = backend.name === 'postgres' ? url.toString() : db.dsn;
      const { served, adminPort } = await serveUntilReady(['all', '--dev'], { DSN: dsn }, home);
      const out = served.output();
      expect(out).not.to.include('pw-never-shown');
      expect(out).not.to.match(/^\{/m);
      expect(out).to.match(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}running with --dev: never use this in production$/m);
      const line = out.split('\n').find((l) => / INFO {2}tessera \S+ started /.test(l));
      expect(line, out).to.match(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}tessera \d+\.\d+\.\d+\S* started version=\S+ /);
      const location = backend.name === 'postgres' ? `${url.host}${url.pathname}` : db.dsn.slice('sqlite://'.length);
      expect(line).to.include(` database=${backend.name} location=${location} schema="migrated (`);
      expect(line).to.include(` admin=http://127.0.0.1:${adminPort} workers=1`);
      expect(line).not.to.include('postgres@');
    });
  });
});
