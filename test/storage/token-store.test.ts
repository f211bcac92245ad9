import { expect } from 'chai';
import { connect, createStorage } from '../../server/src/storage/knex/index.js';
import { describeEachBackend } from '../helpers/databases.js';
import { tokenRecord, useStorage } from './storage.js';

const token = tokenRecord;

describeEachBackend('TokenStore contract', (backend) => {
  const ctx = useStorage(backend);

  it('inserts and reads back every field', async () => {
    const t = token();
    await ctx.storage.tokens.insert([t]);
    expect(await ctx.storage.tokens.get(t.signature)).to.deep.equal(t);
    expect(await ctx.storage.tokens.get('missing')).to.equal(undefined);
    const empty = token({ scope: [], audience: [], session: {} });
    await ctx.storage.tokens.insert([empty]);
    expect(await ctx.storage.tokens.get(empty.signature)).to.deep.equal(empty);
  });

  it('inserts all or nothing', async () => {
    const a = token();
    await ctx.storage.tokens.insert([a]);
    const b = token();
    let failed = false;
    try {
      await ctx.storage.tokens.insert([b, a]);
    } catch {
      failed = true;
    }
    expect(failed).to.equal(true);
    expect(await ctx.storage.tokens.get(b.signature)).to.equal(undefined);
  });

  it('consume has one winner, stores what it issues, and leaves nothing for losers', async () => {
    const code = token({ kind: 'authorization_code', familyId: 'fam-consume' });
    await ctx.storage.tokens.insert([code]);
    const issued = token({ familyId: 'fam-consume' });
    expect(await ctx.storage.tokens.consume(code.signature, 42, [issued])).to.equal(true);
    expect((await ctx.storage.tokens.get(code.signature))?.usedAt).to.equal(42);
    expect(await ctx.storage.tokens.get(issued.signature)).to.deep.equal(issued);
    const second = token({ familyId: 'fam-consume' });
    expect(await ctx.storage.tokens.consume(code.signature, 43, [second])).to.equal(false);
    expect(await ctx.storage.tokens.get(second.signature)).to.equal(undefined);
  });

  it('consume refuses a revoked or unknown token', async () => {
    const revoked = token({ kind: 'refresh_token', revoked: true });
    await ctx.storage.tokens.insert([revoked]);
    expect(await ctx.storage.tokens.consume(revoked.signature, 1, [])).to.equal(false);
    expect(await ctx.storage.tokens.consume('unknown', 1, [])).to.equal(false);
  });

  it('of 20 concurrent consumers exactly one wins', async () => {
    const code = token({ kind: 'authorization_code', familyId: 'fam-race' });
    await ctx.storage.tokens.insert([code]);
    // PostgreSQL: separate pools, as separate processes; SQLite: one (see key-store.test.ts).
    const pools = backend.name === 'postgres' ? Array.from({ length: 4 }, () => createStorage(connect(ctx.db.dsn))) : [];
    try {
      const stores = pools.length > 0 ? pools : [ctx.storage];
      const issued = Array.from({ length: 20 }, () => token({ familyId: 'fam-race' }));
      const results = await Promise.all(issued.map((t, i) => stores[i % stores.length]!.tokens.consume(code.signature, i, [t])));
      expect(results.filter(Boolean)).to.have.length(1);
      const stored = await Promise.all(issued.map((t) => ctx.storage.tokens.get(t.signature)));
      expect(stored.filter(Boolean)).to.have.length(1);
    } finally {
      await Promise.all(pools.map((p) => p.close()));
    }
  });

  it('revokes one token, or a whole family', async () => {
    const one = token({ familyId: 'fam-a' });
    const two = token({ familyId: 'fam-a', kind: 'refresh_token' });
    const other = token({ familyId: 'fam-b' });
    await ctx.storage.tokens.insert([one, two, other]);
    expect(await ctx.storage.tokens.revoke(one.signature)).to.equal(true);
    expect(await ctx.storage.tokens.revoke('unknown')).to.equal(false);
    expect((await ctx.storage.tokens.get(one.signature))?.revoked).to.equal(true);
    expect(await ctx.storage.tokens.revokeFamily('fam-a')).to.equal(1);
    expect((await ctx.storage.tokens.get(two.signature))?.revoked).to.equal(true);
    expect((await ctx.storage.tokens.get(other.signature))?.revoked).to.equal(false);
  });

  it("deleteAccessTokens deletes one client's access tokens, and nothing else", async () => {
    const access = [token({ clientId: 'del-a' }), token({ clientId: 'del-a', revoked: true })];
    const kept = [
      token({ clientId: 'del-a', kind: 'refresh_token' }),
      token({ clientId: 'del-a', kind: 'authorization_code' }),
      token({ clientId: 'del-b' }),
      token({ clientId: 'DEL-A' }),
    ];
    await ctx.storage.tokens.insert([...access, ...kept]);
    expect(await ctx.storage.tokens.deleteAccessTokens('del-a')).to.equal(2);
    for (const t of access) expect(await ctx.storage.tokens.get(t.signature)).to.equal(undefined);
    for (const t of kept) expect(await ctx.storage.tokens.get(t.signature)).to.deep.equal(t);
    expect(await ctx.storage.tokens.deleteAccessTokens('del-a')).to.equal(0);
  });
});
