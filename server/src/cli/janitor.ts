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
      for (;;) {
        const batchStarted = performance.now();
        const n = await job.run(cutoff, batch);
        if (n === 0) break;
        removed += n;
        // Leave the write lock to serving processes between batches. SQLite has one writer:
        // there the pause is at least as long as the batch took, so serving always gets half the time.
        const took = performance.now() - batchStarted;
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
