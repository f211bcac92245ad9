import { expect } from 'chai';
import type { StoredKey } from '../../server/src/storage/ports.js';
import { connect, createStorage } from '../../server/src/storage/knex/index.js';
import { describeEachBackend } from '../helpers/databases.js';
import { useStorage } from './storage.js';

function key(setId: string, kid: string, createdAt = Date.now()): StoredKey {
  return {
    setId,
    kid,
    alg: 'ES256',
    use: 'sig',
    publicJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid, alg: 'ES256', use: 'sig' },
    sealedPrivateJwk: `v1.sealed-${kid}`,
    createdAt,
  };
}

describeEachBackend('KeyStore contract', (backend) => {
  const ctx = useStorage(backend);

  it('ensureSet creates a set once', async () => {
    expect(await ctx.storage.keys.ensureSet(key('ensure', 'first'))).to.equal(true);
    expect(await ctx.storage.keys.ensureSet(key('ensure', 'second'))).to.equal(false);
    expect((await ctx.storage.keys.listSet('ensure')).map((k) => k.kid)).to.deep.equal(['first']);
  });

  it('ensureSet has exactly one winner among concurrent callers on separate connections', async () => {
    // PostgreSQL: separate pools, as separate processes would have. SQLite: one
    // adapter, because better-sqlite3 waits for a lock synchronously, so two
    // connections in one thread would wait on each other; across processes
    // see test/server/keys/startup-race.test.ts.
    const adapters =
      backend.name === 'postgres' ? Array.from({ length: 4 }, () => createStorage(connect(ctx.db.dsn))) : [];
    const racers = adapters.length > 0 ? adapters : Array.from({ length: 4 }, () => ctx.storage);
    try {
      const won = await Promise.all(racers.map((s, i) => s.keys.ensureSet(key('race', `k${i}`))));
      expect(won.filter(Boolean)).to.have.length(1);
      expect(await ctx.storage.keys.listSet('race')).to.have.length(1);
    } finally {
      await Promise.all(adapters.map((s) => s.close()));
    }
  });

  it('adds keys, refuses a taken kid, lists newest first, and reads one key back', async () => {
    expect(await ctx.storage.keys.addKey(key('add', 'old', 1000))).to.equal(true);
    expect(await ctx.storage.keys.addKey(key('add', 'new', 2000))).to.equal(true);
    expect(await ctx.storage.keys.addKey(key('add', 'old', 3000))).to.equal(false);
    expect((await ctx.storage.keys.listSet('add')).map((k) => k.kid)).to.deep.equal(['new', 'old']);
    expect(await ctx.storage.keys.getKey('add', 'old')).to.deep.equal(key('add', 'old', 1000));
    expect(await ctx.storage.keys.getKey('add', 'none')).to.equal(undefined);
  });

  it('replaces a set, and an empty replacement removes it', async () => {
    await ctx.storage.keys.addKey(key('replace', 'a'));
    await ctx.storage.keys.replaceSet('replace', [key('replace', 'b'), key('replace', 'c')]);
    expect((await ctx.storage.keys.listSet('replace')).map((k) => k.kid).sort()).to.deep.equal(['b', 'c']);
    await ctx.storage.keys.replaceSet('replace', []);
    expect(await ctx.storage.keys.listSet('replace')).to.deep.equal([]);
    expect(await ctx.storage.keys.deleteSet('replace')).to.equal(false);
  });

  it('putKey inserts or replaces one key', async () => {
    await ctx.storage.keys.putKey(key('put', 'a', 1000));
    await ctx.storage.keys.putKey({ ...key('put', 'a', 2000), alg: 'EdDSA' });
    const keys = await ctx.storage.keys.listSet('put');
    expect(keys).to.have.length(1);
    expect(keys[0]?.alg).to.equal('EdDSA');
  });

  it('deleting the last key deletes the set; deleteSet removes all keys', async () => {
    await ctx.storage.keys.addKey(key('del', 'a'));
    await ctx.storage.keys.addKey(key('del', 'b'));
    expect(await ctx.storage.keys.deleteKey('del', 'a')).to.equal(true);
    expect(await ctx.storage.keys.deleteKey('del', 'a')).to.equal(false);
    expect(await ctx.storage.keys.deleteKey('del', 'b')).to.equal(true);
    expect(await ctx.storage.keys.deleteSet('del')).to.equal(false);
    // After the set is gone, ensureSet may create it anew.
    expect(await ctx.storage.keys.ensureSet(key('del', 'c'))).to.equal(true);
    await ctx.storage.keys.addKey(key('del', 'd'));
    expect(await ctx.storage.keys.deleteSet('del')).to.equal(true);
    expect(await ctx.storage.keys.listSet('del')).to.deep.equal([]);
  });

  it('lists several sets at once, newest first', async () => {
    await ctx.storage.keys.addKey(key('multi-1', 'x', 1000));
    await ctx.storage.keys.addKey(key('multi-2', 'y', 2000));
    await ctx.storage.keys.addKey(key('multi-3', 'z', 3000));
    const keys = await ctx.storage.keys.listSets(['multi-1', 'multi-2']);
    expect(keys.map((k) => k.kid)).to.deep.equal(['y', 'x']);
    expect(await ctx.storage.keys.listSets([])).to.deep.equal([]);
  });

  it('ensureKey adds a signing key of an alg once, among concurrent callers; keys of other algs or without a private part do not count', async () => {
    await ctx.storage.keys.addKey({ ...key('ensure-alg', 'es'), alg: 'ES256' });
    await ctx.storage.keys.addKey({ ...key('ensure-alg', 'rs-public'), alg: 'RS256', sealedPrivateJwk: null });
    await ctx.storage.keys.addKey({ ...key('ensure-alg', 'rs-enc'), alg: 'RS256', use: 'enc' });
    const adapters = backend.name === 'postgres' ? Array.from({ length: 8 }, () => createStorage(connect(ctx.db.dsn))) : [];
    const racers = adapters.length > 0 ? adapters : Array.from({ length: 8 }, () => ctx.storage);
    try {
      // Warm every pool, so the racers start their transactions together.
      await Promise.all(racers.map((s) => s.keys.listSet('ensure-alg')));
      const won = await Promise.all(racers.map((s, i) => s.keys.ensureKey({ ...key('ensure-alg', `rs-${i}`), alg: 'RS256' })));
      expect(won.filter(Boolean)).to.have.length(1);
    } finally {
      await Promise.all(adapters.map((s) => s.close()));
    }
    const rs = (await ctx.storage.keys.listSet('ensure-alg')).filter((k) => k.alg === 'RS256' && k.use === 'sig' && k.sealedPrivateJwk);
    expect(rs).to.have.length(1);
    expect(await ctx.storage.keys.ensureKey({ ...key('ensure-alg', 'es-2'), alg: 'ES256' })).to.equal(false);
    // A set that does not exist yet is created with the key.
    expect(await ctx.storage.keys.ensureKey({ ...key('ensure-new', 'first'), alg: 'RS256' })).to.equal(true);
  });

  it('listSealed pages through every key with a private part, in ref order, over all sets', async () => {
    await ctx.storage.keys.addKey(key('sealed-a', 'one'));
    await ctx.storage.keys.addKey({ ...key('sealed-a', 'public-only'), sealedPrivateJwk: null });
    await ctx.storage.keys.addKey(key('sealed-b', 'two'));
    const seen: string[] = [];
    let after = 0;
    for (;;) {
      const page = await ctx.storage.keys.listSealed(after, 1);
      if (page.length === 0) break;
      expect(page).to.have.length(1);
      const [row] = page;
      expect(row?.ref).to.be.above(after);
      after = row?.ref ?? Infinity;
      seen.push(`${row?.setId}/${row?.kid}=${row?.sealed}`);
    }
    expect(seen.filter((s) => s.startsWith('sealed-'))).to.deep.equal(['sealed-a/one=v1.sealed-one', 'sealed-b/two=v1.sealed-two']);
  });

  it('swapSealed replaces only what is still there unchanged (a concurrent PUT or DELETE wins)', async () => {
    await ctx.storage.keys.addKey(key('swap', 'k'));
    const ref = async () => (await ctx.storage.keys.listSealed(0, 1000)).find((r) => r.setId === 'swap')?.ref ?? -1;
    const first = await ref();
    expect(await ctx.storage.keys.swapSealed(first, 'v1.stale', 'v1.next')).to.equal(false);
    expect((await ctx.storage.keys.getKey('swap', 'k'))?.sealedPrivateJwk).to.equal('v1.sealed-k');
    expect(await ctx.storage.keys.swapSealed(first, 'v1.sealed-k', 'v1.next')).to.equal(true);
    expect((await ctx.storage.keys.getKey('swap', 'k'))?.sealedPrivateJwk).to.equal('v1.next');
    // Replaced meanwhile: the row behind the old ref is gone, the new one is left alone.
    await ctx.storage.keys.putKey({ ...key('swap', 'k'), sealedPrivateJwk: 'v1.put' });
    expect(await ctx.storage.keys.swapSealed(first, 'v1.next', 'v1.late')).to.equal(false);
    expect((await ctx.storage.keys.getKey('swap', 'k'))?.sealedPrivateJwk).to.equal('v1.put');
    expect(await ref()).to.be.above(first);
  });

  it('ping answers', async () => {
    await ctx.storage.ping(1000);
  });
});
