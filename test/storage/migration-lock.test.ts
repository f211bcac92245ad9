import { expect } from 'chai';
import { connect, disconnect } from '../../server/src/storage/knex/index.js';
import { migrateUp } from '../../server/src/storage/knex/migrate.js';
import { sqliteBackend, type Database } from '../helpers/databases.js';

/*
 * Two processes starting on a fresh SQLite file can each insert a row into
 * knex's migration lock table; knex then reports "already locked" to every
 * later migration, for good. migrateUp keeps one row and goes on.
 */

describe('migrations on SQLite with a doubled lock row', () => {
  let db: Database;
  before(async () => {
    db = await sqliteBackend.create();
  });
  after(async () => db?.drop());

  it('migrate up still runs, and leaves one lock row, unlocked', async () => {
    const conn = connect(db.dsn);
    try {
      await migrateUp(conn);
      await conn.knex('tessera_migrations_lock').insert({ is_locked: 0 });
      expect(await conn.knex('tessera_migrations_lock').count({ n: '*' })).to.deep.equal([{ n: 2 }]);
      await conn.knex('tessera_migrations').where('name', '20261204000000_forced_subjects').delete();
      await conn.knex.schema.dropTable('oauth2_forced_subjects');

      expect(await migrateUp(conn)).to.deep.equal(['20261204000000_forced_subjects']);
      expect(await conn.knex('tessera_migrations_lock').select('is_locked')).to.deep.equal([{ is_locked: 0 }]);
    } finally {
      await disconnect(conn);
    }
  });
});
