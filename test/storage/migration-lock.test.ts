import { expect } from 'chai';
import { connect, disconnect } from '../../server/src/storage/knex/index.js';
import { migrateUp, migrationStatus } from '../../server/src/storage/knex/migrate.js';
import { describeEachBackend, type Database } from '../helpers/databases.js';

/*
 * Two processes creating knex's bookkeeping tables at once can each insert a
 * row into its migration lock table; knex then reports "already locked" to
 * every later migration, for good. migrateUp keeps one row and goes on.
 */

describeEachBackend('migrations with a doubled lock row', (backend) => {
  let db: Database;
  before(async () => {
    db = await backend.create();
  });
  after(async () => db?.drop());

  it('migrate up still runs, and leaves one lock row, unlocked', async () => {
    const conn = connect(db.dsn);
    try {
      await migrateUp(conn);
      await conn.knex('tessera_migrations_lock').insert({ is_locked: 0 });
      const rows = async () => (await conn.knex('tessera_migrations_lock').select('is_locked')).map((r: { is_locked: unknown }) => Number(r.is_locked));
      expect(await rows()).to.deep.equal([0, 0]);
      await conn.knex('tessera_migrations').where('name', '20261204000000_forced_subjects').delete();
      await conn.knex.schema.dropTable('oauth2_forced_subjects');

      expect(await migrateUp(conn)).to.deep.equal(['20261204000000_forced_subjects']);
      expect(await rows()).to.deep.equal([0]);
      expect((await migrationStatus(conn)).every((m) => m.applied)).to.equal(true);
    } finally {
      await disconnect(conn);
    }
  });
});
