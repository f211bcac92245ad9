import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { migrationSource } from './migrations.js';

/**
 * The app's own database: SQLite (`sqlite://./data/login-app.sqlite`, the
 * default, a path relative to the working directory) or PostgreSQL
 * (`postgres://…`, `?search_path=<schema>` allowed). Separate from Tessera's: the app owns its users.
 */
export function connectDatabase(dsn: string, cwd = process.cwd()): Knex {
  if (dsn.startsWith('postgres://') || dsn.startsWith('postgresql://')) {
    // `?search_path=<schema>` as Tessera's DSNs take it: knex sets it on each connection.
    const url = new URL(dsn);
    const schema = url.searchParams.get('search_path');
    url.searchParams.delete('search_path');
    return knexFactory({ client: 'pg', connection: url.href, pool: { min: 0, max: 10 }, ...(schema ? { searchPath: [schema] } : {}) });
  }
  if (!dsn.startsWith('sqlite://')) throw new Error(`DSN must start with sqlite:// or postgres://, got "${dsn.split(':')[0] ?? ''}:…"`);
  const path = dsn.slice('sqlite://'.length);
  const filename = path === ':memory:' ? path : resolve(cwd, path);
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  return knexFactory({
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      // WAL lets the CLI read while the app writes; a busy timeout instead of SQLITE_BUSY errors.
      afterCreate: (conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) => {
        conn.pragma('journal_mode = WAL');
        conn.pragma('busy_timeout = 5000');
        done(null, conn);
      },
    },
  });
}

/** Creates or updates the tables; safe to run on every start and from several processes. */
export async function migrateDatabase(knex: Knex): Promise<void> {
  await knex.migrate.latest({ migrationSource, tableName: 'login_app_migrations' });
}
