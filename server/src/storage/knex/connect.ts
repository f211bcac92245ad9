import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knex, { type Knex } from 'knex';
import type BetterSqlite3 from 'better-sqlite3';
import { startCheckpointer, type Checkpointer } from '../sqlite/checkpointer.js';
import { driverDsn, dsnOptions, type DsnOptions } from '../../lib/dsn.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Connection {
  readonly knex: Knex;
  readonly dialect: Dialect;
  /**
   * SQLite only: the pool's one better-sqlite3 connection, once it is open,
   * for the hot paths that run prepared statements on it directly
   * (storage/sqlite/direct.ts).
   */
  readonly sqlite?: SqliteConnectionRef;
}

export interface SqliteConnectionRef {
  current: BetterSqlite3.Database | undefined;
  /** How long a statement may wait for another process's lock (the DSN's statement_timeout). */
  readonly busyTimeoutMs: number;
  /** File databases: WAL checkpoints in a worker thread, started with the first connection. */
  checkpointer?: Checkpointer;
}

/**
 * Pages in the WAL before the serving connection checkpoints by itself. The
 * checkpointer thread keeps the WAL far below it; this is the backstop.
 */
const BACKSTOP_CHECKPOINT_PAGES = 10_000;

/** better-sqlite3's connection, as much of it as the pool hook uses. */
interface SqliteHandle {
  pragma(source: string): unknown;
  prepare(source: string): unknown;
}

const STATEMENT_CACHE = 256;

/**
 * knex's better-sqlite3 dialect prepares every statement anew, which was a
 * tenth of the CPU of a token request. Queries of one shape compile to one
 * SQL string, so prepared statements are kept per string (bounded, oldest
 * out). Reuse is safe: knex runs them synchronously with all()/run().
 */
function cachePreparedStatements(conn: SqliteHandle): void {
  const prepare = conn.prepare.bind(conn);
  const cache = new Map<string, unknown>();
  conn.prepare = (source: string) => {
    let statement = cache.get(source);
    if (statement === undefined) {
      statement = prepare(source);
      if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value ?? '');
      cache.set(source, statement);
    }
    return statement;
  };
}

/**
 * busy_timeout first, so later statements wait for locks. Switching a new
 * database to WAL can still answer SQLITE_BUSY at once, without the busy
 * handler, while another process is doing the same; so the whole set-up is
 * retried for a while before the connection is given up.
 */
function configureSqlite(
  conn: SqliteHandle,
  wal: boolean,
  busyTimeoutMs: number,
  done: (err: Error | null, conn: SqliteHandle) => void,
  deadline = Date.now() + busyTimeoutMs,
): void {
  try {
    conn.pragma(`busy_timeout = ${Math.round(busyTimeoutMs)}`);
    if (wal) conn.pragma('journal_mode = WAL');
    conn.pragma('synchronous = NORMAL');
    if (wal) conn.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
    conn.pragma('foreign_keys = ON');
    cachePreparedStatements(conn);
    done(null, conn);
  } catch (err) {
    const busy = /SQLITE_BUSY|database is locked/.test(String((err as { code?: string }).code ?? err));
    if (!busy || Date.now() > deadline) done(err as Error, conn);
    else setTimeout(() => configureSqlite(conn, wal, busyTimeoutMs, done, deadline), 25 + Math.random() * 50);
  }
}

/**
 * WAL lets readers run beside the writer; NORMAL sync is durable across
 * process crashes (not power loss) and is what makes SQLite inserts cheap
 * (DESIGN.md, performance budget); foreign keys are off by default in SQLite.
 */
function sqlite(filename: string, options: DsnOptions, ref: SqliteConnectionRef): Knex.Config {
  return {
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: SqliteHandle, done: (err: Error | null, conn: SqliteHandle) => void) {
        configureSqlite(conn, filename !== ':memory:', options.statementTimeoutMs, (err, configured) => {
          if (!err) {
            ref.current = configured as unknown as BetterSqlite3.Database;
            if (filename !== ':memory:') ref.checkpointer ??= startCheckpointer(filename);
          }
          done(err, configured);
        });
      },
    },
    acquireConnectionTimeout: options.acquireTimeoutMs,
  };
}

/**
 * knex prints every failed connection attempt with its stack before it
 * rejects with the same error, which the caller reports (or the CLI turns into
 * one line): keep knex's other warnings, drop that second copy.
 */
const KNEX_LOG: Knex.Config['log'] = {
  warn(message: string) {
    if (!String(message).startsWith('Acquire connection error')) process.stderr.write(`knex: ${String(message)}\n`);
  },
};

/** Pool and timeouts from the DSN's own parameters (lib/dsn.ts); failing fast lets callers answer 503. */
function postgres(dsn: string): Knex.Config {
  const options = dsnOptions(dsn);
  return {
    client: 'pg',
    connection: {
      connectionString: driverDsn(dsn),
      statement_timeout: options.statementTimeoutMs,
      connectionTimeoutMillis: options.connectTimeoutMs,
    },
    searchPath: options.searchPath ? [options.searchPath] : undefined,
    // At least 2: migrations hold one connection for their advisory lock while they run on another.
    pool: { min: 0, max: options.maxConns },
    acquireConnectionTimeout: options.acquireTimeoutMs,
    log: KNEX_LOG,
  };
}

export function connect(dsn: string): Connection {
  if (dsn === 'memory' || dsn.startsWith('sqlite://')) {
    const filename = dsn === 'memory' ? ':memory:' : (dsn.slice('sqlite://'.length).split('?')[0] ?? '');
    if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
    const options = dsnOptions(dsn);
    const ref: SqliteConnectionRef = { current: undefined, busyTimeoutMs: options.statementTimeoutMs };
    return { knex: knex(sqlite(filename, options, ref)), dialect: 'sqlite', sqlite: ref };
  }
  if (/^postgres(ql)?:\/\//.test(dsn)) return { knex: knex(postgres(dsn)), dialect: 'postgres' };
  throw new Error('unsupported DSN');
}

/** Closes the pool and, on SQLite, the checkpointer thread. */
export async function disconnect(conn: Connection): Promise<void> {
  await conn.knex.destroy();
  await conn.sqlite?.checkpointer?.stop();
}
