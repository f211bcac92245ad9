import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import { migrations, type Migration } from '@tessera/migrations';
import type { Connection } from './connect.js';

const source: Knex.MigrationSource<Migration> = {
  getMigrations: async () => [...migrations],
  getMigrationName: (m) => m.name,
  getMigration: async (m) => m,
};

const options: Knex.MigratorConfig = { migrationSource: source, tableName: 'tessera_migrations' };
/** knex's lock table for that tableName (`<tableName>_lock`: one row, `index` and `is_locked`). */
const LOCK_TABLE = 'tessera_migrations_lock';

/** Any 64-bit number of our own; the same in every Tessera process. */
const PG_MIGRATION_LOCK = 0x7e55e7a;

/**
 * Runs `work` while no other Tessera process migrates the same database. On
 * PostgreSQL an advisory lock makes the others wait; on SQLite knex's own lock
 * row refuses them (and its bookkeeping tables can race into existence), so
 * they wait and try again. Migrations themselves run in transactions, so a
 * retried run never sees half of one.
 */
async function exclusively<T>(conn: Connection, work: () => Promise<T>): Promise<T> {
  if (conn.dialect === 'postgres') {
    return conn.knex.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(?)', [PG_MIGRATION_LOCK]);
      // A database whose lock table got two rows before every knex call here ran under this lock.
      await keepOneLockRow(conn);
      return work();
    });
  }
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      // Another process holds knex's lock row, or created knex's own tables a moment before us.
      const locked = (err as Error).name === 'MigrationLocked' || /SQLITE_BUSY|already locked|already exists/i.test(String(err));
      if (!locked || attempt >= 100) throw err;
      await keepOneLockRow(conn);
      await sleep(100);
    }
  }
}

/**
 * Two processes creating knex's lock table at once (on a fresh SQLite file;
 * on PostgreSQL before `migrationStatus` ran under the advisory lock) can
 * each insert its row. knex takes the lock with `update … set is_locked = 1
 * where is_locked = 0` and wants exactly one row changed, so with two rows
 * every later migration, in every process, fails with "already locked" for
 * good (found when a `serve --workers 2` test's second worker never came
 * up). knex takes and frees the lock inside its migration transaction here,
 * so a committed row is never a live lock: the extra rows can go. A busy
 * database or a missing table is left for the next attempt.
 */
async function keepOneLockRow(conn: Connection): Promise<void> {
  await conn.knex
    .raw(`delete from ${LOCK_TABLE} where "index" <> (select min("index") from ${LOCK_TABLE})`)
    .catch(() => undefined);
}

export async function migrateUp(conn: Connection): Promise<string[]> {
  return exclusively(conn, async () => {
    const [, applied] = (await conn.knex.migrate.latest(options)) as [number, string[]];
    return applied;
  });
}

/** Rolls back the newest migration. */
export async function migrateDown(conn: Connection): Promise<string[]> {
  return exclusively(conn, async () => {
    const [, reverted] = (await conn.knex.migrate.down(options)) as [number, string[]];
    return reverted;
  });
}

export interface MigrationStatus {
  readonly name: string;
  readonly applied: boolean;
}

export async function migrationStatus(conn: Connection): Promise<MigrationStatus[]> {
  // knex's list creates its bookkeeping tables when they are missing: as racy as a migration.
  const [done] = (await exclusively(conn, () => conn.knex.migrate.list(options))) as [Array<{ name: string }>, unknown[]];
  const applied = new Set(done.map((m) => m.name));
  return migrations.map((m) => ({ name: m.name, applied: applied.has(m.name) }));
}
