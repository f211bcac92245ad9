import { pino } from 'pino';
import type { Config } from '../../server/src/config/schema.js';
import { loadConfig } from '../../server/src/config/load.js';
import { createTessera, type Tessera, type TesseraOptions } from '../../server/src/app.js';
import { listen, type Listener } from '../../server/src/http/listen.js';
import { connect, migrateUp } from '../../server/src/storage/knex/index.js';
import { deepMerge as merge } from '../../server/src/lib/merge.js';
import { freePort } from './ports.js';
import type { Backend, Database } from './databases.js';

export const TEST_SECRET = 'test-system-secret-that-is-long-enough-0123456789';

export interface Running {
  readonly tessera: Tessera;
  readonly config: Config;
  /** e.g. http://127.0.0.1:40123 */
  readonly publicUrl: string;
  readonly adminUrl: string;
  stop(): Promise<void>;
}

export async function migrated(dsn: string): Promise<void> {
  const conn = connect(dsn);
  try {
    await migrateUp(conn);
  } finally {
    await conn.knex.destroy();
  }
}

/**
 * Starts Tessera in this process on two free 127.0.0.1 ports, on a migrated
 * database, with the environment ignored: a test states all it depends on.
 */
/** What a test may hand createTessera besides the configuration (the logger is silent unless given). */
export type StartOptions = Partial<TesseraOptions>;

export async function startTessera(db: Database, overrides: Record<string, unknown> = {}, options: StartOptions = {}): Promise<Running> {
  await migrated(db.dsn);
  const publicPort = await freePort();
  const config = loadConfig({
    env: {},
    overrides: merge(
      {
        dsn: db.dsn,
        serve: { public: { host: '127.0.0.1', port: publicPort }, admin: { host: '127.0.0.1', port: 0 } },
        urls: { self: { issuer: `http://127.0.0.1:${publicPort}` } },
        secrets: { system: [TEST_SECRET] },
        log: { level: 'silent' },
      },
      overrides,
    ),
  });
  const tessera = await createTessera(config, { ...options, logger: options.logger ?? pino({ level: 'silent' }) });
  let pub: Listener | undefined;
  try {
    pub = await listen(tessera.publicApp, '127.0.0.1', publicPort);
    const admin = await listen(tessera.adminApp, '127.0.0.1', 0);
    return {
      tessera,
      config,
      publicUrl: pub.url,
      adminUrl: admin.url,
      async stop() {
        await Promise.all([pub?.close(1000), admin.close(1000)]);
        await tessera.close();
      },
    };
  } catch (err) {
    await pub?.close(0);
    await tessera.close();
    throw err;
  }
}

/** What `useTessera` hands a suite: read its fields inside hooks and tests, once `before` has run. */
export interface Harness {
  /** The running server. */
  readonly t: Running;
  /** Its database (a fresh SQLite file or PostgreSQL schema). */
  readonly db: Database;
}

/**
 * The set-up most suites repeat: a fresh database of `backend`, Tessera
 * started on it with `overrides` before the suite, stopped and the database
 * dropped after it. Call it inside a `describe` (usually the body of
 * `describeEachBackend`).
 */
export function useTessera(backend: Backend, overrides: Record<string, unknown> = {}, options: StartOptions = {}): Harness {
  let db: Database | undefined;
  let running: Running | undefined;
  before(async () => {
    db = await backend.create();
    running = await startTessera(db, overrides, options);
  });
  after(async () => {
    await running?.stop();
    await db?.drop();
  });
  return {
    get t() {
      if (!running) throw new Error('useTessera: the server is not started yet (read it inside hooks and tests)');
      return running;
    },
    get db() {
      if (!db) throw new Error('useTessera: the database is not created yet (read it inside hooks and tests)');
      return db;
    },
  };
}
