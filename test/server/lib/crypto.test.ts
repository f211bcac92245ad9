import { expect } from 'chai';
import { randomBuffer, timeOrderedId } from '../../../server/src/lib/crypto.js';

describe('lib/crypto', () => {
  it('randomBuffer hands out every byte once, across pool refills and past the pool size', () => {
    const draws = Array.from({ length: 2000 }, (_, i) => randomBuffer(1 + (i % 40)));
    // 16-byte windows from ~40 KB of draws: a byte handed out twice would repeat a window.
    const windows = new Set<string>();
    const all = Buffer.concat(draws);
    for (let i = 0; i + 16 <= all.length; i += 16) windows.add(all.subarray(i, i + 16).toString('hex'));
    expect(windows.size).to.equal(Math.floor(all.length / 16));
    expect(draws.every((d, i) => d.length === 1 + (i % 40))).to.equal(true);
    const big = randomBuffer(10_000);
    expect(big.length).to.equal(10_000);
    expect(big.equals(Buffer.alloc(10_000))).to.equal(false);
  });

  it('timeOrderedId is a UUIDv7 that sorts by time', () => {
    const a = timeOrderedId(1_700_000_000_000);
    const b = timeOrderedId(1_700_000_000_001);
    expect(a).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a < b).to.equal(true);
    expect(parseInt(a.replace(/-/g, '').slice(0, 12), 16)).to.equal(1_700_000_000_000);
    expect(timeOrderedId(5)).not.to.equal(timeOrderedId(5));
  });
});
