import { expect } from 'chai';
import type { Storage } from '../../server/src/storage/ports.js';
import { connect, createStorage, type Connection } from '../../server/src/storage/knex/index.js';
import { describeEachBackend, type Database } from '../helpers/databases.js';
import { migrated } from '../helpers/tessera.js';
import { countCheckouts } from './storage.js';

/*
 * "Used once" for jtis (client assertions, jwt-bearer, DPoP proofs) on the
 * direct connections: one upsert decides, on any number of processes.
 */

describeEachBackend('jti store (one statement per use)', (backend) => {
  let db: Database;
  let conns: Connection[];
  let one: Storage;
  let two: Storage;

  before(async () => {
    db = await backend.create();
    await migrated(db.dsn);
    conns = [connect(db.dsn), connect(db.dsn)];
    [one, two] = conns.map((conn) => createStorage(conn)) as [Storage, Storage];
  });
  after(async () => {
    await one?.close();
    await two?.close();
    await db?.drop();
  });

  it('takes a new key once; a replay on either process is refused while it lives', async () => {
    const checkouts = countCheckouts(conns[0]!);
    expect(await one.jtis.use('dpop:a', 2_000, 1_000)).to.equal(true);
    if (backend.name === 'postgres') expect(checkouts.count, 'statements').to.equal(1);
    expect(await one.jtis.use('dpop:a', 3_000, 1_500)).to.equal(false);
    expect(await two.jtis.use('dpop:a', 3_000, 1_999)).to.equal(false);
  });

  it('lets exactly one of many concurrent callers on two processes have a key', async () => {
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? one : two).jtis.use('client:race', 9_000, 1_000)));
    expect(outcomes.filter(Boolean)).to.have.length(1);
  });

  it('takes over an expired key once, and keeps the new expiry', async () => {
    expect(await one.jtis.use('grant:b', 1_000, 500)).to.equal(true);
    const outcomes = await Promise.all([one.jtis.use('grant:b', 5_000, 1_000), two.jtis.use('grant:b', 5_000, 1_000)]);
    expect(outcomes.filter(Boolean), 'at its expiry, one caller takes it').to.have.length(1);
    expect(await two.jtis.use('grant:b', 6_000, 4_999)).to.equal(false);
    expect(await two.jtis.use('grant:b', 6_000, 5_000)).to.equal(true);
  });
});
