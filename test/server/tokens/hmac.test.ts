import { expect } from 'chai';
import { createTokenStrategy, TOKEN_PREFIXES } from '../../../server/src/tokens/hmac.js';

const A = 'first-system-secret-of-32-characters-at-least';
const B = 'second-system-secret-of-32-characters-at-least';

describe('opaque token strategy', () => {
  const strategy = createTokenStrategy([A]);

  it('mints prefixed tokens of 32 bytes (issue time, 208 random bits) and a 43-character signature', () => {
    for (const kind of ['access_token', 'refresh_token', 'authorization_code'] as const) {
      const before = Date.now();
      const { token, signature } = strategy.mint(kind);
      expect(token.startsWith(TOKEN_PREFIXES[kind])).to.equal(true);
      expect(token).to.match(/^ory_(at|rt|ac)_[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
      const [body = '', hmac = ''] = token.slice(7).split('.');
      // The stored key: the issue time in hex, then the signature; never the random part.
      const issued = Buffer.from(body, 'base64url').readUIntBE(0, 6);
      expect(issued).to.be.within(before, Date.now());
      expect(signature).to.equal(issued.toString(16).padStart(12, '0') + hmac);
      expect(strategy.verify(kind, token)).to.equal(signature);
    }
    const keys = Array.from({ length: 50 }, () => strategy.mint('access_token'));
    expect(new Set(keys.map((k) => k.token.slice(15, 50))).size, 'random parts differ').to.equal(50);
  });

  it('mints keys that sort by issue time', async () => {
    const first = strategy.mint('access_token').signature;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = strategy.mint('access_token').signature;
    expect(first < second).to.equal(true);
  });

  it('refuses a token of another kind, a tampered one, and garbage', () => {
    const { token } = strategy.mint('access_token');
    expect(strategy.verify('refresh_token', token)).to.equal(undefined);
    const flipped = token.slice(0, 10) + (token[10] === 'a' ? 'b' : 'a') + token.slice(11);
    expect(strategy.verify('access_token', flipped)).to.equal(undefined);
    for (const junk of ['', 'ory_at_', 'ory_at_x.y', `ory_at_${'a'.repeat(43)}.${'b'.repeat(43)}`, token + 'x', token.replace('.', '')]) {
      expect(strategy.verify('access_token', junk), junk).to.equal(undefined);
    }
  });

  it('refuses a non-canonical base64url spelling of the signature', () => {
    const { token } = strategy.mint('access_token');
    const last = token[token.length - 1] ?? 'A';
    // The last of 43 base64url characters carries 2 spare bits; flipping the lowest changes only those.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = alphabet[alphabet.indexOf(last) ^ 1] ?? last;
    expect(strategy.verify('access_token', token.slice(0, -1) + twin)).to.equal(undefined);
  });

  it('classifies a token by its prefix', () => {
    const { token, signature } = strategy.mint('refresh_token');
    expect(strategy.classify(token)).to.deep.equal({ kind: 'refresh_token', signature });
    expect(strategy.classify('ory_xx_abc')).to.equal(undefined);
  });

  it('verifies with every listed secret and signs with the first (rotation)', () => {
    const old = createTokenStrategy([A]).mint('access_token');
    const rotated = createTokenStrategy([B, A]);
    expect(rotated.verify('access_token', old.token)).to.equal(old.signature);
    const fresh = rotated.mint('access_token');
    expect(createTokenStrategy([A]).verify('access_token', fresh.token)).to.equal(undefined);
    expect(createTokenStrategy([B]).verify('access_token', old.token)).to.equal(undefined);
  });
});
