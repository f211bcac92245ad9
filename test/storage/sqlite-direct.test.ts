import { expect } from 'chai';
import { statSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import type { TokenRecord } from '../../server/src/tokens/token.js';
import type { Storage } from '../../server/src/storage/ports.js';
import { connect, createStorage, type Connection } from '../../server/src/storage/knex/index.js';
import { sqliteBackend, type Database } from '../helpers/databases.js';
import { migrated } from '../helpers/tessera.js';
import { tokenRecord } from './storage.js';

/*
 * The SQLite hot path (storage/sqlite/direct.ts): writes of one event-loop
 * turn share a transaction, each job in its own savepoint, and nothing runs on
 * the connection while a knex transaction holds it.
 */

const token = tokenRecord;

const settled = <T>(promise: Promise<T>) => promise.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));

describe('SQLite direct store: group commit', () => {
  let db: Database;
  let conn: Connection;
  let storage: Storage;

  before(async () => {
    db = await sqliteBackend.create();
    await migrated(db.dsn);
    conn = connect(db.dsn);
    storage = createStorage(conn);
    await storage.ping(1000);
  });
  after(async () => {
    await storage?.close();
    await db?.drop();
  });

  it('commits the writes of one turn together, and a failing job fails alone', async () => {
    const existing = token();
    await storage.tokens.insert([existing]);
    const fresh = [token(), token(), token()];
    const results = await Promise.all([
      settled(storage.tokens.insert([fresh[0]!])),
      // A duplicate signature: this job's savepoint rolls back, and the batch goes on.
      settled(storage.tokens.insert([token(), existing])),
      settled(storage.tokens.insert([fresh[1]!, fresh[2]!])),
      settled(storage.tokens.revoke(existing.signature)),
    ]);
    expect(results.map((r) => r.ok)).to.deep.equal([true, false, true, true]);
    for (const t of fresh) expect(await storage.tokens.get(t.signature)).to.deep.equal(t);
    expect((await storage.tokens.get(existing.signature))?.revoked).to.equal(true);
    // The suite's own database: the existing token and the three fresh ones, nothing of the failed job.
    const count = await conn.knex('oauth2_tokens').count<Array<{ n: number }>>({ n: '*' });
    expect(count[0]?.n).to.equal(4);
  });

  it('of two consumes of one token in one batch, the first wins and the second changes nothing', async () => {
    const code = token({ kind: 'authorization_code' });
    await storage.tokens.insert([code]);
    const first = token({ familyId: code.familyId });
    const second = token({ familyId: code.familyId });
    const [a, b] = await Promise.all([storage.tokens.consume(code.signature, 1, [first]), storage.tokens.consume(code.signature, 2, [second])]);
    expect([a, b]).to.deep.equal([true, false]);
    expect((await storage.tokens.get(code.signature))?.usedAt).to.equal(1);
    expect(await storage.tokens.get(second.signature)).to.equal(undefined);
  });

  it('waits for an open knex transaction, and its rollback does not take the direct writes along', async () => {
    const inside = token();
    const outside = token();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let readDuring: TokenRecord | undefined | 'pending' = 'pending';
    const transaction = conn.knex
      .transaction(async (trx) => {
        await trx('oauth2_tokens').insert({ signature: inside.signature, kind: 'access_token', family_id: 'f', client_id: 'c', issued_at: 1, expires_at: 2 });
        await held;
        throw new Error('roll back');
      })
      .catch(() => undefined);
    // Let the transaction begin and insert.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const write = storage.tokens.insert([outside]);
    const read = storage.tokens.get(inside.signature).then((found) => (readDuring = found));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Neither ran inside the transaction: both are still waiting for the connection.
    expect(readDuring).to.equal('pending');
    release();
    await Promise.all([transaction, write, read]);
    expect(readDuring).to.equal(undefined);
    expect(await storage.tokens.get(inside.signature)).to.equal(undefined);
    expect(await storage.tokens.get(outside.signature)).to.deep.equal(outside);
  });

  it('shares parsed clients between reads but sees every change to the row', async () => {
    const client = { client_id: 'direct-client' };
    await conn.knex('clients').insert({ id: client.client_id, client_name: 'one', owner: '', secret_hash: null, document: JSON.stringify({ scope: 'a' }), created_at: 1, updated_at: 1 });
    const first = await storage.clients.get(client.client_id);
    const again = await storage.clients.get(client.client_id);
    expect(again).to.equal(first);
    expect(Object.isFrozen(first)).to.equal(true);
    // Another process changes the row: the next read has the change.
    await conn.knex('clients').where('id', client.client_id).update({ document: JSON.stringify({ scope: 'a b' }), updated_at: 2 });
    expect((await storage.clients.get(client.client_id))?.scope).to.equal('a b');
    await conn.knex('clients').where('id', client.client_id).delete();
    expect(await storage.clients.get(client.client_id)).to.equal(undefined);
  });
});

describe('SQLite direct store: another process holding the write lock', () => {
  let db: Database;
  let storage: Storage;
  let other: BetterSqlite3.Database;

  before(async () => {
    db = await sqliteBackend.create();
    await migrated(db.dsn);
    storage = createStorage(connect(`${db.dsn}?statement_timeout=400ms`));
    await storage.ping(1000);
    // A second connection plays the other process.
    other = new BetterSqlite3(db.dsn.slice('sqlite://'.length));
  });
  after(async () => {
    other?.close();
    await storage?.close();
    await db?.drop();
  });

  it('waits for the lock without blocking the event loop, then commits', async () => {
    other.exec('BEGIN IMMEDIATE');
    const t = token();
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 5);
    const insert = storage.tokens.insert([t]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    other.exec('COMMIT');
    await insert;
    clearInterval(ticker);
    // SQLite's own busy handler would have slept in this thread the whole 100 ms: no tick at all, and the
    // COMMIT above (same thread) could not have run before the busy timeout failed the insert. A loaded
    // machine runs a 5 ms interval far less than 20 times in 100 ms, so only "it ran" is asserted.
    expect(ticks).to.be.greaterThan(2);
    expect(await storage.tokens.get(t.signature)).to.deep.equal(t);
  });

  it('gives up with SQLITE_BUSY past the busy timeout, writing nothing', async () => {
    other.exec('BEGIN IMMEDIATE');
    const t = token();
    const started = Date.now();
    try {
      const outcome = await settled(storage.tokens.insert([t]));
      expect(outcome.ok).to.equal(false);
      expect((outcome as { error: { code?: string } }).error.code).to.equal('SQLITE_BUSY');
      expect(Date.now() - started).to.be.within(350, 2000);
    } finally {
      other.exec('COMMIT');
    }
    expect(await storage.tokens.get(t.signature)).to.equal(undefined);
  });
});

describe('SQLite checkpointer thread', () => {
  it('moves committed pages from the WAL into the database file without the serving connection', async () => {
    const db = await sqliteBackend.create();
    try {
      await migrated(db.dsn);
      const conn = connect(db.dsn);
      const storage = createStorage(conn);
      await storage.ping(1000);
      const file = db.dsn.slice('sqlite://'.length);
      const before = statSync(file).size;
      // About 1,500 pages into the WAL: past SQLite's default threshold, far below the serving connection's backstop.
      for (let round = 0; round < 30; round++) await Promise.all(Array.from({ length: 100 }, () => storage.tokens.insert([token({ session: { ext: { pad: 'x'.repeat(200) } } })])));
      const deadline = Date.now() + 5000;
      while (statSync(file).size <= before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(statSync(file).size).to.be.greaterThan(before);
      await storage.close();
    } finally {
      await db.drop();
    }
  });
});
