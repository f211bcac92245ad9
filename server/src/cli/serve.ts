import { ConfigError, MEMORY_IS_PRIVATE, loadConfig } from '../config/load.js';
import { createLogger } from '../logger.js';
import { createTessera, type Tessera } from '../app.js';
import type { Logger } from 'pino';
import { listen, type Listener } from '../http/listen.js';
import cluster from 'node:cluster';
import { UsageError } from './errors.js';
import { parseWorkers, runPrimary } from './cluster.js';
import { describeDsn } from '../lib/dsn.js';
import { VERSION } from '../version.js';
import { createPrometheusMetrics } from '../metrics/prometheus.js';
import { servePrimaryScrapes } from '../metrics/cluster.js';

export interface ServeArgs {
  readonly positionals: readonly string[];
  readonly dev: boolean;
  readonly config: string | undefined;
  readonly workers: string | undefined;
}

const WHAT = ['all', 'public', 'admin'] as const;
type What = (typeof WHAT)[number];

/**
 * One line says what runs where (issue 19): the database by kind and location,
 * never its credentials (lib/dsn.ts). With --workers only the first worker says
 * it; a replacement worker has a higher id.
 */
function logStarted(logger: Logger, tessera: Tessera, urls: { public?: string; admin?: string }, workers: number): void {
  if (cluster.isWorker && cluster.worker?.id !== 1) return;
  const { config } = tessera;
  const database = describeDsn(config.dsn);
  logger.info(
    { version: VERSION, database: database.kind, location: database.location, schema: tessera.schema, issuer: config.urls.self.issuer, ...urls, workers },
    `tessera ${VERSION} started`,
  );
}

/** Starts the servers and resolves once they have stopped after SIGTERM/SIGINT. */
export async function serve(args: ServeArgs): Promise<number> {
  const what = args.positionals[0] as What | undefined;
  if (!what || !WHAT.includes(what)) throw new UsageError('serve needs one of: all, public, admin');
  // The primary validates the configuration (and, with --dev, writes the secret once) before forking.
  const config = loadConfig({ file: args.config, dev: args.dev });
  const sqlite = !/^postgres(ql)?:\/\//.test(config.dsn);
  // SQLite takes one writer at a time: a second process contends for the write lock and splits the
  // group commit, measured below one process (bench/README, "--workers"); `auto` means one process there.
  const workers = args.workers === 'auto' && sqlite ? undefined : parseWorkers(args.workers);
  // Each worker would open its own in-memory database: a client created through one would be unknown to the others.
  if (config.dsn === 'memory' && workers !== undefined && workers > 1) throw new ConfigError('dsn', `--workers ${workers}: ${MEMORY_IS_PRIVATE}`);
  // Readable lines for a person (--dev, or a terminal); JSON for log shippers everywhere else.
  const logger = createLogger(config.log.level, { readable: config.dev || process.stdout.isTTY === true });
  // Said once, by the primary (with --workers it returns below, so before that).
  if (config.dev && cluster.isPrimary) logger.warn('running with --dev: never use this in production');
  if (cluster.isPrimary && sqlite && args.workers === 'auto') logger.info('--workers auto on SQLite runs one process: SQLite has one writer, and more processes measured slower');
  if (cluster.isPrimary && sqlite && workers !== undefined && workers > 1) {
    logger.warn({ workers }, 'more than one process on SQLite is measured slower than one (one writer at a time); scale out on PostgreSQL');
  }
  if (workers !== undefined && cluster.isPrimary) {
    // One scrape answers for all workers: whichever worker it reaches asks the primary to aggregate.
    servePrimaryScrapes();
    return runPrimary(workers, logger);
  }

  // Process metrics too: this process serves one Tessera. A worker's scrape goes through the primary.
  const metrics = createPrometheusMetrics({ cluster: cluster.isWorker ? 'worker' : undefined });
  const tessera = await createTessera(config, { logger, metrics });
  const listeners: Listener[] = [];
  try {
    const urls: { public?: string; admin?: string } = {};
    if (what !== 'admin') {
      const l = await listen(tessera.publicApp, config.serve.public.host, config.serve.public.port);
      listeners.push(l);
      urls.public = l.url;
    }
    if (what !== 'public') {
      const l = await listen(tessera.adminApp, config.serve.admin.host, config.serve.admin.port);
      listeners.push(l);
      urls.admin = l.url;
    }
    logStarted(logger, tessera, urls, workers ?? 1);
  } catch (err) {
    await Promise.all(listeners.map((l) => l.close(0)));
    await tessera.close();
    throw err;
  }

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down: draining requests');
      tessera.lifecycle.draining = true;
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await Promise.all(listeners.map((l) => l.close()));
  await tessera.close();
  logger.info('stopped');
  logger.flush();
  // A cluster worker's IPC channel would keep it alive.
  if (cluster.isWorker) cluster.worker?.disconnect();
  return 0;
}
