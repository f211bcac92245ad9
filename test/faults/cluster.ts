import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

/**
 * A PostgreSQL cluster of the suite's own (Debian's postgresql-common:
 * pg_createcluster / pg_ctlcluster), so restarting it never disturbs the
 * cluster other suites use. Created on first use, as root.
 */
export const FAULTS_PORT = Number(process.env['TEST_FAULTS_PG_PORT'] ?? 5433);
const NAME = 'tessera_faults';

function version(): string | undefined {
  if (!existsSync('/etc/postgresql')) return undefined;
  return readdirSync('/etc/postgresql').sort((a, b) => Number(a) - Number(b)).pop();
}

function run(cmd: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Why the fault suites cannot run here, or undefined. */
export function faultsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'the PostgreSQL fault suites restart a database cluster and need root';
  if (!run('which', ['pg_ctlcluster']).ok || !run('which', ['pg_createcluster']).ok) {
    return 'pg_createcluster/pg_ctlcluster (Debian postgresql-common) are not installed';
  }
  if (!version()) return 'no PostgreSQL version under /etc/postgresql';
  return undefined;
}

export function ensureCluster(): void {
  const v = version() ?? '';
  if (!existsSync(`/etc/postgresql/${v}/${NAME}`)) {
    const made = run('pg_createcluster', [v, NAME, '-p', String(FAULTS_PORT), '--', '--auth=trust']);
    if (!made.ok) throw new Error(`pg_createcluster failed: ${made.out}`);
  }
  startCluster();
}

export function startCluster(): void {
  const r = run('pg_ctlcluster', ['--skip-systemctl-redirect', version() ?? '', NAME, 'start']);
  // "already running" is fine.
  if (!r.ok && !/already running/i.test(r.out)) throw new Error(`pg_ctlcluster start failed: ${r.out}`);
  // The port must be ours: another cluster on it would make the restart tests meaningless.
  const status = run('pg_lsclusters', ['--no-header']).out.split('\n').find((l) => l.split(/\s+/)[1] === NAME) ?? '';
  if (!/\bonline\b/.test(status)) throw new Error(`cluster ${NAME} is not online: ${status}`);
}

export function stopCluster(): void {
  const r = run('pg_ctlcluster', ['--skip-systemctl-redirect', version() ?? '', NAME, 'stop', '-m', 'fast']);
  if (!r.ok && !/not running/i.test(r.out)) throw new Error(`pg_ctlcluster stop failed: ${r.out}`);
}

export const FAULTS_DSN = `postgres://postgres@127.0.0.1:${FAULTS_PORT}/postgres`;
