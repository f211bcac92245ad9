import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { EXIT, UsageError } from './errors.js';

/** `--workers N|auto` → a number of workers, or undefined for one process without cluster. */
export function parseWorkers(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value === 'auto') return availableParallelism();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError('--workers takes a whole number from 1 to 64, or auto');
  return n;
}

/** A worker that dies more often than this within a minute is a crash loop: stop instead of spinning. */
const MAX_RESTARTS_PER_MINUTE = 10;
const STOP_GRACE_MS = 15_000;

/**
 * The primary of `serve --workers N`: forks N workers that share the ports
 * (node:cluster), replaces a worker that dies, and on SIGTERM/SIGINT asks
 * every worker to drain and waits for them. Workers run the same `serve`
 * command; each opens its own pool, and migrations and key creation are
 * already safe to race.
 */
export async function runPrimary(workers: number, logger: Logger): Promise<number> {
  let stopping = false;
  const restarts: number[] = [];
  for (let i = 0; i < workers; i++) cluster.fork();
  logger.info({ workers }, 'cluster primary started');

  return new Promise<number>((resolve) => {
    let result: number = EXIT.ok;
    cluster.on('exit', (worker: Worker, code, signal) => {
      if (stopping) {
        if (Object.keys(cluster.workers ?? {}).length === 0) resolve(result);
        return;
      }
      // A configuration error (exit 2, e.g. keys no configured secret opens) recurs in every worker: stop, as one process would.
      if (code === EXIT.usage) {
        logger.error({ pid: worker.process.pid }, 'a worker stopped on a configuration error; stopping');
        stopping = true;
        result = EXIT.usage;
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
        if (Object.keys(cluster.workers ?? {}).length === 0) resolve(result);
        return;
      }
      const now = Date.now();
      restarts.push(now);
      while ((restarts[0] ?? now) < now - 60_000) restarts.shift();
      if (restarts.length > MAX_RESTARTS_PER_MINUTE) {
        logger.error({ restarts: restarts.length }, 'workers keep dying; stopping');
        stopping = true;
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
        if (Object.keys(cluster.workers ?? {}).length === 0) resolve(1);
        return;
      }
      logger.warn({ pid: worker.process.pid, code, signal }, 'worker died; starting another');
      cluster.fork();
    });

    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping workers');
      const alive = Object.values(cluster.workers ?? {});
      if (alive.length === 0) resolve(0);
      for (const w of alive) w?.process.kill('SIGTERM');
      setTimeout(() => {
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      }, STOP_GRACE_MS).unref();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
