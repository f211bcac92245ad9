import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knex, { type Knex } from 'knex';

export type Dialect = 'sqlite' | 'postgres';

export interface Connection {
  readonly knex: Knex;
  readonly dialect: Dialect;
}

/** better-sqlite3's connection, as much of it as the pool hook uses. */
interface SqliteHandle {
  pragma(source: string): unknown;
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
  deadline: number,
  done: (err: Error | null, conn: SqliteHandle) => void,
): void {
  try {
    conn.pragma('busy_timeout = 10000');
    if (wal) conn.pragma('journal_mode = WAL');
    conn.pragma('synchronous = NORMAL');
    conn.pragma('foreign_keys = ON');
    done(null, conn);
  } catch (err) {
    const busy = /SQLITE_BUSY|database is locked/.test(String((err as { code?: string }).code ?? err));
    if (!busy || Date.now() > deadline) done(err as Error, conn);
    else setTimeout(() => configureSqlite(conn, wal, deadline, done), 25 + Math.random() * 50);
  }
}

/**
 * WAL lets readers run beside the writer; NORMAL sync is durable across
 * process crashes (not power loss) and is what makes SQLite inserts cheap
 * (DESIGN.md, performance budget); foreign keys are off by default in SQLite.
 */
function sqlite(filename: string): Knex.Config {
  return {
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: SqliteHandle, done: (err: Error | null, conn: SqliteHandle) => void) {
        configureSqlite(conn, filename !== ':memory:', Date.now() + 10_000, done);
      },
    },
  };
}

/**
 * Our own DSN query parameters are taken out before the rest goes to pg:
 * `search_path` (schema), `max_conns` (pool size).
 */
function postgres(dsn: string): Knex.Config {
  const url = new URL(dsn);
  const searchPath = url.searchParams.get('search_path') ?? undefined;
  const maxConns = Number(url.searchParams.get('max_conns') ?? 10);
  url.searchParams.delete('search_path');
  url.searchParams.delete('max_conns');
  return {
    client: 'pg',
    connection: { connectionString: url.toString() },
    searchPath: searchPath ? [searchPath] : undefined,
    // At least 2: migrations hold one connection for their advisory lock while they run on another.
    pool: { min: 0, max: Number.isInteger(maxConns) && maxConns > 2 ? maxConns : 2 },
    acquireConnectionTimeout: 10_000,
  };
}

export function connect(dsn: string): Connection {
  if (dsn === 'memory') return { knex: knex(sqlite(':memory:')), dialect: 'sqlite' };
  if (dsn.startsWith('sqlite://')) {
    const filename = dsn.slice('sqlite://'.length).split('?')[0] ?? '';
    mkdirSync(dirname(filename), { recursive: true });
    return { knex: knex(sqlite(filename)), dialect: 'sqlite' };
  }
  if (/^postgres(ql)?:\/\//.test(dsn)) return { knex: knex(postgres(dsn)), dialect: 'postgres' };
  throw new Error('unsupported DSN');
}
