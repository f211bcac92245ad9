import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonWebKeySet } from '@tessera/sdk';
import { describeEachBackend, type Database } from '../../helpers/databases.js';
import { startServe, waitUntilReady, type Served } from '../../helpers/cli.js';
import { TEST_SECRET } from '../../helpers/tessera.js';
import { freePort } from '../../helpers/ports.js';
import { request } from '../../helpers/http.js';
import { connect } from '../../../server/src/storage/knex/index.js';

/*
 * README "CLI": `serve` creates the ID-token key set "on first start, exactly
 * once even when several processes start together". Two real processes of
 * the compiled CLI (`npm test` builds first) race on one empty, unmigrated
 * database: both migrate (--dev), both find no key set, both try to create
 * it. The KeyStore contract suite covers the same race in one process
 * (test/storage/key-store.test.ts); SQLite's lock only shows across processes.
 */

const ID_TOKEN_SET = 'hydra.openid.id-token';
const ROUNDS = 3;
const EXIT_WITHIN_MS = 5_000;

interface Process {
  readonly served: Served;
  readonly publicUrl: string;
  readonly adminUrl: string;
}

/** Four distinct ports: two processes, two listeners each. */
async function distinctPorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

const alive = (s: Served) => s.child.exitCode === null && s.child.signalCode === null;

function exitCode(s: Served, ms: number): Promise<number | null | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  return Promise.race([s.exited, timeout]).finally(() => clearTimeout(timer));
}

/** pino levels ≥ 50 are error and fatal: a clean start-up logs none. */
function errorLines(output: string): string[] {
  return output.split('\n').filter((line) => {
    try {
      const level = (JSON.parse(line) as { level?: unknown }).level;
      return typeof level === 'number' && level >= 50;
    } catch {
      return false;
    }
  });
}

describeEachBackend('two processes starting together on an empty database', (backend) => {
  const children: Served[] = [];
  const databases: Database[] = [];
  const dirs: string[] = [];

  /** Kills whatever is still running (SIGKILL), then removes databases and directories. */
  async function cleanUp(): Promise<void> {
    const running = children.splice(0).filter(alive);
    for (const s of running) s.child.kill('SIGKILL');
    await Promise.all(running.map((s) => s.exited));
    for (const db of databases.splice(0)) await db.drop().catch(() => undefined);
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
  afterEach(cleanUp);
  after(cleanUp);

  async function startTwo(db: Database): Promise<Process[]> {
    const [p0, a0, p1, a1] = (await distinctPorts(4)) as [number, number, number, number];
    const pairs = [[p0, a0], [p1, a1]] as const;
    const processes = pairs.map(([publicPort, adminPort]): Process => {
      const cwd = mkdtempSync(join(tmpdir(), 'tessera-race-'));
      dirs.push(cwd);
      const served = startServe(['all', '--dev'], {
        cwd,
        env: { DSN: db.dsn, SECRETS_SYSTEM: TEST_SECRET, SERVE_PUBLIC_PORT: String(publicPort), SERVE_ADMIN_PORT: String(adminPort), LOG_LEVEL: 'warn' },
      });
      children.push(served);
      return { served, publicUrl: `http://127.0.0.1:${publicPort}`, adminUrl: `http://127.0.0.1:${adminPort}` };
    });
    await Promise.all(processes.flatMap((p) => [waitUntilReady(`${p.adminUrl}/health/ready`, p.served), waitUntilReady(`${p.publicUrl}/health/ready`, p.served)]));
    return processes;
  }

  async function storedRows(dsn: string): Promise<{ sets: number; keys: number }> {
    const { knex } = connect(dsn);
    try {
      const sets = await knex('jwk_sets').where('id', ID_TOKEN_SET).count<Array<{ n: number | string }>>({ n: '*' });
      const keys = await knex('jwks').where('set_id', ID_TOKEN_SET).count<Array<{ n: number | string }>>({ n: '*' });
      return { sets: Number(sets[0]?.n), keys: Number(keys[0]?.n) };
    } finally {
      await knex.destroy();
    }
  }

  for (let round = 1; round <= ROUNDS; round++) {
    it(`round ${round}/${ROUNDS}: create the ID-token key set exactly once, serve the same JWKS, exit 0 on SIGTERM`, async function () {
      this.timeout(60_000);
      const db = await backend.create();
      databases.push(db);
      const processes = await startTwo(db);

      const published = await Promise.all(processes.map((p) => request<{ keys: Array<{ kid: string }> }>(p.publicUrl, 'GET', '/.well-known/jwks.json')));
      for (const res of published) expect(res.status, res.text).to.equal(200);
      const [first, second] = published as [(typeof published)[0], (typeof published)[0]];
      expect(second.text).to.equal(first.text);
      expect(first.body.keys).to.have.length(1);
      const kid = first.body.keys[0]?.kid;

      // Both processes can open the one private key: same set, same secret.
      const privateSets = await Promise.all(processes.map((p) => request<JsonWebKeySet>(p.adminUrl, 'GET', `/admin/keys/${ID_TOKEN_SET}`)));
      for (const res of privateSets) {
        expect(res.status, res.text).to.equal(200);
        expect(res.body.keys.map((k) => k.kid)).to.deep.equal([kid]);
        expect(res.body.keys[0]?.d).to.be.a('string');
      }
      expect(privateSets[1]?.body).to.deep.equal(privateSets[0]?.body);
      expect(await storedRows(db.dsn)).to.deep.equal({ sets: 1, keys: 1 });

      for (const p of processes) p.served.child.kill('SIGTERM');
      const codes = await Promise.all(processes.map((p) => exitCode(p.served, EXIT_WITHIN_MS)));
      expect(codes, processes.map((p) => p.served.output()).join('\n---\n')).to.deep.equal([0, 0]);
      for (const p of processes) expect(errorLines(p.served.output()), p.served.output()).to.deep.equal([]);
    });
  }
});
