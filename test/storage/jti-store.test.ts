import { expect } from 'chai';
import { describeEachBackend } from '../helpers/databases.js';
import { countCheckouts, useStoragePair } from './storage.js';

/*
 * "Used once" for jtis (client assertions, jwt-bearer, DPoP proofs) on the
 * direct connections: one upsert decides, on any number of processes.
 */

describeEachBackend('jti store (one statement per use)', (backend) => {
  const ctx = useStoragePair(backend);

  it('takes a new key once; a replay on either process is refused while it lives', async () => {
    const checkouts = countCheckouts(ctx.conns[0]!);
    expect(await ctx.one.jtis.use('dpop:a', 2_000, 1_000)).to.equal(true);
    if (backend.name === 'postgres') expect(checkouts.count, 'statements').to.equal(1);
    expect(await ctx.one.jtis.use('dpop:a', 3_000, 1_500)).to.equal(false);
    expect(await ctx.two.jtis.use('dpop:a', 3_000, 1_999)).to.equal(false);
  });

  it('lets exactly one of many concurrent callers on two processes have a key', async () => {
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? ctx.one : ctx.two).jtis.use('client:race', 9_000, 1_000)));
    expect(outcomes.filter(Boolean)).to.have.length(1);
  });

  it('takes over an expired key once, and keeps the new expiry', async () => {
    expect(await ctx.one.jtis.use('grant:b', 1_000, 500)).to.equal(true);
    const outcomes = await Promise.all([ctx.one.jtis.use('grant:b', 5_000, 1_000), ctx.two.jtis.use('grant:b', 5_000, 1_000)]);
    expect(outcomes.filter(Boolean), 'at its expiry, one caller takes it').to.have.length(1);
    expect(await ctx.two.jtis.use('grant:b', 6_000, 4_999)).to.equal(false);
    expect(await ctx.two.jtis.use('grant:b', 6_000, 5_000)).to.equal(true);
  });
});
