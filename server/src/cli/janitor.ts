import { setTimeout as sleep } from 'node:timers/promises';
import { loadDsn } from '../config/load.js';
import { parseDuration } from '../lib/duration.js';
import { connect, createStorage } from '../storage/knex/index.js';
import type { JanitorStore } from '../storage/ports.js';
import { UsageError } from './errors.js';
import { writeJanitorMetrics, type JanitorJobResult } from '../metrics/janitor-file.js';

export interface JanitorArgs {
  readonly dsn: string | undefined;
  readonly config: string | undefined;
  readonly tokens: boolean;
  readonly requests: boolean;
  readonly grants: boolean;
  readonly keepIfYounger: string | undefined;
  readonly batchSize: string | undefined;
  readonly pause: string | undefined;
  /** `--metrics-file`: where to write the run's numbers for node_exporter's textfile collector. */
  readonly metricsFile?: string | undefined;
}

type Job = { readonly name: string; readonly run: (cutoff: number, batch: number) => Promise<number> };

function jobs(store: JanitorStore, args: JanitorArgs): Job[] {
  const all = !args.tokens && !args.requests && !args.grants;
  const list: Job[] = [];
  if (all || args.tokens) list.push({ name: 'tokens', run: (c, b) => store.deleteTokens(c, b) });
  if (all || args.requests) {
    list.push({ name: 'login/consent requests', run: (c, b) => store.deleteFlows(c, b) });
    list.push({ name: 'device requests', run: (c, b) => store.deleteDeviceRequests(c, b) });
    list.push({ name: 'pushed authorization requests', run: (c, b) => store.deletePushedRequests(c, b) });
  }
  if (all || args.grants) {
    list.push({ name: 'login sessions', run: (c, b) => store.deleteLoginSessions(c, b) });
    list.push({ name: 'revoked consents', run: (c, b) => store.deleteConsents(c, b) });
  }
  return list;
}

/**
 * How long one SQLite batch may hold the database's single write lock: a
 * serving process's commit waits behind it. Measured with 1M expired tokens
 * (bench/README.md, issue 20): 1,000-row batches put issuance p99 at 88 ms
 * while the janitor ran, batches of about 10 ms at 63 ms, of about 4 ms at
 * 12 ms (the janitor 29 % slower: 14,600 rows/s instead of 20,500).
 */
const SQLITE_BATCH_MS = 4;
const SQLITE_MIN_BATCH = 20;
const SQLITE_START_BATCH = 100;

/** The next batch's size from the last one's time: toward SQLITE_BATCH_MS, within [SQLITE_MIN_BATCH, most]. */
function nextSqliteBatch(size: number, removed: number, tookMs: number, most: number): number {
  // A short batch (the rows ran out) says nothing about the rate.
  if (removed < size) return size;
  const scaled = Math.round((size * SQLITE_BATCH_MS) / Math.max(tookMs, 0.1));
  return Math.min(most, Math.max(Math.min(SQLITE_MIN_BATCH, most), scaled));
}

/**
 * `tessera janitor`: deletes what can never be used again, in batches, each
 * its own short statement, pausing between them so a database shared with
 * serving processes is never locked for long.
 */
export async function janitor(args: JanitorArgs, out: (line: string) => void): Promise<number> {
  const keep = parseDuration(args.keepIfYounger ?? '0s');
  if (keep === undefined) throw new UsageError('--keep-if-younger takes a duration such as 24h');
  const pause = parseDuration(args.pause ?? '10ms');
  if (pause === undefined) throw new UsageError('--pause takes a duration such as 10ms');
  const batch = Number(args.batchSize ?? 1000);
  if (!Number.isInteger(batch) || batch < 1 || batch > 100_000) throw new UsageError('--batch-size takes a whole number from 1 to 100000');
  const conn = connect(loadDsn({ dsn: args.dsn, file: args.config }));
  const storage = createStorage(conn);
  try {
    const cutoff = Date.now() - keep;
    const results: JanitorJobResult[] = [];
    for (const job of jobs(storage.janitor, args)) {
      const started = performance.now();
      let removed = 0;
      // On SQLite the first batch is small too; the sizes then follow the measured time.
      let size = conn.dialect === 'sqlite' ? Math.min(batch, SQLITE_START_BATCH) : batch;
      for (;;) {
        const batchStarted = performance.now();
        const n = await job.run(cutoff, size);
        if (n === 0) break;
        removed += n;
        // Leave the write lock to serving processes between batches. SQLite has one writer:
        // there the pause is at least as long as the batch took, so serving always gets half the time,
        // and the next batch is sized to hold the lock about SQLITE_BATCH_MS (at most --batch-size).
        const took = performance.now() - batchStarted;
        if (conn.dialect === 'sqlite') size = nextSqliteBatch(size, n, took, batch);
        await sleep(conn.dialect === 'sqlite' ? Math.max(pause, took) : pause);
      }
      const seconds = (performance.now() - started) / 1000;
      results.push({ name: job.name, removed, seconds });
      out(`${job.name}: removed ${removed} in ${seconds.toFixed(2)} s${removed > 0 ? ` (${Math.round(removed / Math.max(seconds, 0.001))} rows/s)` : ''}`);
    }
    if (args.metricsFile !== undefined) await writeJanitorMetrics(args.metricsFile, results, Date.now());
    return 0;
  } finally {
    await storage.close();
  }
}
