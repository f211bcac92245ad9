import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe, waitUntilReady, type Served } from '../../helpers/cli.js';
import { freePorts } from '../../helpers/ports.js';
import { countOf, parseScrape, valueOf } from './prometheus-text.js';

/** The pids of a process's children (Linux `ps`). */
function children(pid: number): number[] {
  try {
    return execFileSync('ps', ['--ppid', String(pid), '-o', 'pid='], { encoding: 'utf8' })
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

/*
 * `serve --workers 2`: requests spread over two processes, yet every scrape,
 * whichever worker answers it, reports the total (the primary aggregates).
 */
describe('Prometheus metrics with --workers 2', function () {
  this.timeout(60_000);
  let home: string;
  let served: Served;
  let publicUrl: string;
  let adminUrl: string;

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'tessera-metrics-cluster-'));
    const [p = 0, a = 0] = await freePorts(2);
    publicUrl = `http://127.0.0.1:${p}`;
    adminUrl = `http://127.0.0.1:${a}`;
    served = startServe(['all', '--dev', '--workers', '2'], { cwd: home, env: { SERVE_PUBLIC_PORT: String(p), SERVE_ADMIN_PORT: String(a), LOG_LEVEL: 'warn' } });
    await waitUntilReady(`${publicUrl}/health/ready`, served);
    await waitUntilReady(`${adminUrl}/health/ready`, served);
    const deadline = Date.now() + 20_000;
    while (children(served.child.pid ?? 0).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  });
  after(() => {
    if (served.child.exitCode === null) {
      for (const pid of children(served.child.pid ?? 0)) process.kill(pid, 'SIGKILL');
      served.child.kill('SIGKILL');
    }
    rmSync(home, { recursive: true, force: true });
  });

  it('answers every scrape with the sum over both workers', async () => {
    expect(children(served.child.pid ?? 0)).to.have.length(2);
    const N = 40;
    // New connections each time, so the kernel spreads them over both workers.
    for (let i = 0; i < N; i++) {
      const res = await fetch(`${publicUrl}/.well-known/jwks.json`, { headers: { connection: 'close' } });
      expect(res.status).to.equal(200);
      await res.arrayBuffer();
    }
    const totals = new Set<number>();
    const workerCounts = new Set<number>();
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${adminUrl}/admin/metrics/prometheus`, { headers: { connection: 'close' } });
      const text = await res.text();
      expect(res.status, text).to.equal(200);
      const m = parseScrape(text);
      totals.add(countOf(m, 'tessera_http_request_duration_seconds', { route: '/.well-known/jwks.json', method: 'GET', status_class: '2xx' }));
      // Each worker reports its own pool; the aggregate sums them (SQLite: one connection per worker).
      workerCounts.add(valueOf(m, 'tessera_db_pool_connections'));
      // serve's registry has the process metrics (the CPU of both workers, summed).
      expect(valueOf(m, 'process_cpu_user_seconds_total')).to.be.greaterThan(0);
    }
    expect([...totals]).to.deep.equal([N]);
    expect([...workerCounts]).to.deep.equal([2]);
  });
});
