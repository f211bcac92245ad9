import { expect } from 'chai';
import type { Storage } from '../../server/src/storage/ports.js';
import { connect, createStorage, type Connection } from '../../server/src/storage/knex/index.js';
import { postgresBackend, skipUnlessPostgres, type Database } from '../helpers/databases.js';
import { migrated } from '../helpers/tessera.js';
import { clientFixture, countCheckouts, tokenRecord } from './storage.js';

/*
 * The PostgreSQL hot path (storage/postgres/direct.ts): named statements on
 * knex's pool, the reads and inserts of one event-loop turn as one statement,
 * a rotation as one statement. The contract suites hold it to the knex
 * store's answers; this suite holds the batching and the single-statement
 * decisions, counting statements by the pool's connection checkouts.
 */

const token = tokenRecord;
const settled = <T>(promise: Promise<T>) => promise.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));

describe('PostgreSQL direct store', function () {
  let db: Database;
  let conns: Connection[];
  let storage: Storage;
  let other: Storage;
  let checkouts: ReturnType<typeof countCheckouts>;

  before(async function () {
    skipUnlessPostgres(this);
    db = await postgresBackend.create();
    await migrated(db.dsn);
    conns = [connect(db.dsn), connect(db.dsn)];
    [storage, other] = conns.map((conn) => createStorage(conn)) as [Storage, Storage];
    await storage.ping(2000);
    await other.ping(2000);
    checkouts = countCheckouts(conns[0]!);
  });
  after(async () => {
    await storage?.close();
    await other?.close();
    await db?.drop();
  });
  beforeEach(() => checkouts.reset());

  it('inserts the tokens of one turn with one statement', async () => {
    const fresh = Array.from({ length: 12 }, () => token());
    await Promise.all(fresh.map((t) => storage.tokens.insert([t])));
    expect(checkouts.count).to.equal(1);
    for (const t of fresh) expect(await other.tokens.get(t.signature)).to.deep.equal(t);
  });

  it('fails only the caller whose row is refused; the others of its turn are committed', async () => {
    const existing = token();
    await storage.tokens.insert([existing]);
    const fresh = [token(), token(), token()];
    const innocent = token();
    const results = await Promise.all([
      settled(storage.tokens.insert([fresh[0]!])),
      settled(storage.tokens.insert([innocent, existing])),
      settled(storage.tokens.insert([fresh[1]!, fresh[2]!])),
    ]);
    expect(results.map((r) => r.ok)).to.deep.equal([true, false, true]);
    expect((results[1] as { error: { code?: string } }).error.code).to.equal('23505');
    for (const t of fresh) expect(await other.tokens.get(t.signature)).to.deep.equal(t);
    // The refused caller's rows go together: its other row is not half-written.
    expect(await other.tokens.get(innocent.signature)).to.equal(undefined);
  });

  it('reads the lookups of one turn with one statement, each caller its own row', async () => {
    const [a, b] = [token({ subject: 'a' }), token({ subject: 'b' })];
    await storage.tokens.insert([a, b]);
    checkouts.reset();
    const found = await Promise.all([storage.tokens.get(a.signature), storage.tokens.get('nope'), storage.tokens.get(b.signature), storage.tokens.get(a.signature)]);
    expect(checkouts.count).to.equal(1);
    expect(found).to.deep.equal([a, undefined, b, a]);
  });

  it('rotates in one statement: the winner marks, revokes the family\'s earlier access tokens and inserts; a loser changes nothing', async () => {
    const family = `family-${Math.random()}`;
    const refresh = token({ kind: 'refresh_token', familyId: family });
    const earlier = token({ kind: 'access_token', familyId: family });
    await storage.tokens.insert([refresh, earlier]);
    const mine = [token({ familyId: family }), token({ kind: 'refresh_token', familyId: family })];
    const theirs = [token({ familyId: family }), token({ kind: 'refresh_token', familyId: family })];
    checkouts.reset();
    const outcomes = await Promise.all([
      storage.tokens.consume(refresh.signature, 42, mine, { revokeFamilyAccessTokens: true }),
      other.tokens.consume(refresh.signature, 43, theirs, { revokeFamilyAccessTokens: true }),
    ]);
    expect(checkouts.count, 'statements on this process').to.equal(1);
    expect(outcomes.filter(Boolean)).to.have.length(1);
    const [won, lost] = outcomes[0] ? [mine, theirs] : [theirs, mine];
    for (const t of won) expect(await storage.tokens.get(t.signature), 'the winner\'s new tokens are live').to.deep.equal(t);
    for (const t of lost) expect(await storage.tokens.get(t.signature), 'the loser inserted nothing').to.equal(undefined);
    expect((await storage.tokens.get(earlier.signature))?.revoked).to.equal(true);
    expect((await storage.tokens.get(refresh.signature))?.usedAt).to.be.oneOf([42, 43]);
  });

  it('leaves the family alone without revokeFamilyAccessTokens, and a used token cannot be consumed again', async () => {
    const family = `family-${Math.random()}`;
    const code = token({ kind: 'authorization_code', familyId: family });
    const earlier = token({ familyId: family });
    await storage.tokens.insert([code, earlier]);
    expect(await storage.tokens.consume(code.signature, 1, [token({ familyId: family })])).to.equal(true);
    expect((await storage.tokens.get(earlier.signature))?.revoked).to.equal(false);
    const late = token({ familyId: family });
    expect(await other.tokens.consume(code.signature, 2, [late])).to.equal(false);
    expect(await storage.tokens.get(late.signature)).to.equal(undefined);
  });

  it('reads the clients of one turn together and sees another process\'s change at once', async () => {
    const client = clientFixture(`c-${Math.random()}`, { client_name: 'one' });
    expect(await storage.clients.create(client)).to.equal(true);
    checkouts.reset();
    const [x, y, none] = await Promise.all([storage.clients.get(client.client_id), storage.clients.get(client.client_id), storage.clients.get('absent')]);
    expect(checkouts.count).to.equal(1);
    expect(x).to.equal(y, 'the parsed client is shared while the row is unchanged');
    expect(none).to.equal(undefined);
    expect(await other.clients.replace({ ...client, client_name: 'two', updated_at: 2 })).to.equal(true);
    expect((await storage.clients.get(client.client_id))?.client_name).to.equal('two');
  });
});
