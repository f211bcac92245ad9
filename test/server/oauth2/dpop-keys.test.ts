import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { DPOP_ALGORITHMS, importProofKey, signatureValid } from '../../../server/src/oauth2/dpop/jwk.js';
import { createDpopNonces } from '../../../server/src/oauth2/dpop/nonce.js';
import { normalizeHtu } from '../../../server/src/oauth2/dpop/proof.js';

/*
 * The pure parts of DPoP (oauth2/dpop/): every algorithm's key import,
 * thumbprint (RFC 7638, against jose's) and signature check; nonces; htu
 * normalisation. The HTTP behaviour is test/e2e/dpop*.test.ts.
 */

const GENERATE: ReadonlyMap<string, { alg: string; crv?: string }> = new Map([
  ['ES256', { alg: 'ES256' }],
  ['ES384', { alg: 'ES384' }],
  ['ES512', { alg: 'ES512' }],
  ['EdDSA', { alg: 'EdDSA', crv: 'Ed25519' }],
  ['Ed25519', { alg: 'Ed25519' }],
  ['PS256', { alg: 'PS256' }],
  ['PS384', { alg: 'PS384' }],
  ['PS512', { alg: 'PS512' }],
  ['RS256', { alg: 'RS256' }],
  ['RS384', { alg: 'RS384' }],
  ['RS512', { alg: 'RS512' }],
]);

describe('DPoP keys, nonces and htu (oauth2/dpop)', () => {
  for (const alg of DPOP_ALGORITHMS.keys()) {
    it(`${alg}: imports the public jwk, computes jose's thumbprint, verifies a signature and refuses a forged one`, async () => {
      const how = GENERATE.get(alg);
      if (!how) throw new Error(`no key recipe for ${alg}`);
      const pair = await generateKeyPair(how.alg, { extractable: true, ...(how.crv ? { crv: how.crv } : {}) });
      const jwk = await exportJWK(pair.publicKey);
      const key = importProofKey(jwk, alg);
      if (typeof key === 'string') throw new Error(key);
      expect(key.jkt).to.equal(await calculateJwkThumbprint(jwk));
      const jws = await new SignJWT({ x: 1 }).setProtectedHeader({ alg }).sign(pair.privateKey);
      const [h, p, s] = jws.split('.') as [string, string, string];
      expect(signatureValid(alg, Buffer.from(`${h}.${p}`), key.key, Buffer.from(s, 'base64url'))).to.equal(true);
      expect(signatureValid(alg, Buffer.from(`${h}.${p}x`), key.key, Buffer.from(s, 'base64url'))).to.equal(false);
    });
  }

  it('refuses a private jwk, a key of another type or curve, a short RSA key, an unknown alg', async () => {
    const ec = await generateKeyPair('ES256', { extractable: true });
    expect(importProofKey(await exportJWK(ec.privateKey), 'ES256')).to.match(/public key/);
    expect(importProofKey(await exportJWK(ec.publicKey), 'ES384')).to.match(/not a key for ES384/);
    expect(importProofKey(await exportJWK(ec.publicKey), 'RS256')).to.match(/not a key for RS256/);
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    expect(importProofKey(small, 'RS256')).to.match(/2048/);
    expect(importProofKey(await exportJWK(ec.publicKey), 'HS256')).to.match(/not supported/);
    expect(importProofKey('x', 'ES256')).to.match(/no "jwk"/);
  });

  it('nonces: the same for every instance with the secret, accepted for their period and the next', () => {
    const a = createDpopNonces('a-system-secret-of-32-characters!!', 60_000);
    const b = createDpopNonces('a-system-secret-of-32-characters!!', 60_000);
    const other = createDpopNonces('another-system-secret-of-32-chars!', 60_000);
    const t = 1_800_000_000_000;
    const nonce = a.current(t);
    expect(b.current(t)).to.equal(nonce);
    expect(other.accepts(nonce, t)).to.equal(false);
    expect(b.accepts(nonce, t + 60_000)).to.equal(true);
    expect(b.accepts(nonce, t + 120_000)).to.equal(false);
    expect(b.accepts(nonce.slice(0, 21), t)).to.equal(false);
    expect(b.accepts(42, t)).to.equal(false);
  });

  it('htu: compared without query and fragment, scheme and host case-insensitive, default port dropped', () => {
    expect(normalizeHtu('HTTPS://Auth.Example.com:443/oauth2/token?a=1#f')).to.equal('https://auth.example.com/oauth2/token');
    expect(normalizeHtu('https://auth.example.com/oauth2/./token')).to.equal('https://auth.example.com/oauth2/token');
    expect(normalizeHtu('https://auth.example.com/OAuth2/token')).to.not.equal(normalizeHtu('https://auth.example.com/oauth2/token'));
    expect(normalizeHtu('not a url')).to.equal(undefined);
  });
});
