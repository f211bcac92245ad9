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
        if (filename !== ':memory:') conn.pragma('journal_mode = WAL');
        conn.pragma('synchronous = NORMAL');
        conn.pragma('foreign_keys = ON');
        conn.pragma('busy_timeout = 10000');
        done(null, conn);
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
