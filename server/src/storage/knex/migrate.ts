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
      await sleep(100);
    }
  }
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
  const [done] = (await conn.knex.migrate.list(options)) as [Array<{ name: string }>, unknown[]];
  const applied = new Set(done.map((m) => m.name));
  return migrations.map((m) => ({ name: m.name, applied: applied.has(m.name) }));
}
