import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { startServe, waitUntilReady, type Served } from '../helpers/cli.js';
import { freePorts } from '../helpers/ports.js';
import { createClient } from '../helpers/clients.js';
import { migrated, TEST_SECRET } from '../helpers/tessera.js';
import { FAULTS_DSN, ensureCluster, faultsUnavailable, startCluster, stopCluster } from './cluster.js';
import { mixedLoad, summarise } from './load.js';

/**
 * PostgreSQL restarted under load: requests fail fast with 503 (never hang,
 * never 500), /health/ready says 503, the process survives, and service
 * resumes by itself once the database is back.
 */
describe('PostgreSQL restarted during load', function () {
  this.timeout(120_000);
  const why = faultsUnavailable();
  let served: Served | undefined;
  let home: string;
  let dsn: string;
  let schema: string;

  before(async function () {
    if (why) {
      console.warn(`\n  ⚠ skipping: ${why}\n`);
      this.skip();
    }
    ensureCluster();
    schema = `faults_${randomBytes(4).toString('hex')}`;
    const c = new pg.Client({ connectionString: FAULTS_DSN });
    await c.connect();
    await c.query(`create schema ${schema}`);
    await c.end();
    // Short timeouts, so a request waiting for the database gives up quickly.
    dsn = `${FAULTS_DSN}?search_path=${schema}&acquire_timeout=2s&connect_timeout=1s&statement_timeout=2s`;
    await migrated(dsn);
    home = mkdtempSync(join(tmpdir(), 'tessera-faults-'));
  });
  after(async () => {
    if (served && served.child.exitCode === null) served.child.kill('SIGKILL');
    if (why) return;
    startCluster();
    const c = new pg.Client({ connectionString: FAULTS_DSN });
    await c.connect();
    await c.query(`drop schema if exists ${schema} cascade`);
    await c.end();
    rmSync(home, { recursive: true, force: true });
  });

  it('answers 503 fast while the database is down and recovers without a restart', async () => {
    const [p = 0, a = 0] = await freePorts(2);
    const target = { publicUrl: `http://127.0.0.1:${p}`, adminUrl: `http://127.0.0.1:${a}` };
    served = startServe(['all'], {
      cwd: home,
      env: { DSN: dsn, SECRETS_SYSTEM: TEST_SECRET, URLS_SELF_ISSUER: target.publicUrl, SERVE_PUBLIC_PORT: String(p), SERVE_ADMIN_PORT: String(a), LOG_LEVEL: 'error' },
    });
    await waitUntilReady(`${target.publicUrl}/health/ready`, served);
    const client = await createClient(target.adminUrl, { grant_types: ['client_credentials'], scope: 'read' });

    const started = Date.now();
    let stoppedAt = 0;
    let restartedAt = 0;
    let recoveredAt = 0;
    const readyDuringOutage: number[] = [];
    const phases = (async () => {
      await new Promise((r) => setTimeout(r, 1500));
      stopCluster();
      stoppedAt = Date.now();
      for (let i = 0; i < 3; i++) {
        readyDuringOutage.push((await fetch(`${target.publicUrl}/health/ready`)).status);
        await new Promise((r) => setTimeout(r, 500));
      }
      startCluster();
      restartedAt = Date.now();
      while (Date.now() - restartedAt < 30_000) {
        const res = await fetch(`${target.publicUrl}/health/ready`);
        if (res.status === 200) {
          recoveredAt = Date.now();
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const outcomes = await mixedLoad(() => [target], client, () => recoveredAt > 0 && Date.now() - recoveredAt > 1500, 4);
    await phases;

    const during = outcomes.filter((o) => o.status !== 200);
    const counts = summarise(outcomes);
    const after = outcomes.slice(-20);
    console.log(
      `      load: ${JSON.stringify(counts)}; down ${restartedAt - stoppedAt} ms; ready again ${recoveredAt - restartedAt} ms after start; ` +
        `slowest failing request ${Math.round(Math.max(0, ...during.map((o) => o.ms)))} ms; total ${Date.now() - started} ms`,
    );
    expect(served.child.exitCode, 'the process survived').to.equal(null);
    expect(readyDuringOutage.every((s) => s === 503), `ready during outage: ${readyDuringOutage.join()}`).to.equal(true);
    expect(during.length, 'some requests hit the outage').to.be.greaterThan(0);
    expect(during.every((o) => o.status === 503), `statuses during outage: ${JSON.stringify(counts)}`).to.equal(true);
    // Fail fast: acquire_timeout (2 s) plus a margin; never the 10 s client timeout.
    expect(Math.max(...during.map((o) => o.ms))).to.be.below(4000);
    expect(recoveredAt - restartedAt, 'recovered within 15 s of the database coming back').to.be.below(15_000);
    expect(after.every((o) => o.status === 200), `after recovery: ${after.map((o) => o.status).join()}`).to.equal(true);

    served.child.kill('SIGTERM');
    expect(await served.exited).to.equal(0);
  });
});
