import { randomUUID } from 'node:crypto';
import { CompactSign, compactVerify, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { JsonWebKey, SigningAlgorithm } from '@tessera/sdk';
import { invalidRequest } from '../errors/catalog.js';

/** Members that make a JWK private (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2). Never published. */
const privateMembers = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']);

export function publicPart(jwk: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(jwk).filter(([name]) => !privateMembers.has(name)));
}

export function isPrivate(jwk: Readonly<Record<string, unknown>>): boolean {
  return Object.keys(jwk).some((name) => privateMembers.has(name));
}

const generateOptions: Record<SigningAlgorithm, { modulusLength?: number; crv?: string }> = {
  // 2048 bits: NIST SP 800-57 strength to 2030, and a quarter of 4096's signing cost.
  RS256: { modulusLength: 2048 },
  PS256: { modulusLength: 2048 },
  ES256: {},
  EdDSA: { crv: 'Ed25519' },
};

export async function generateJwk(alg: SigningAlgorithm, kid: string, use: 'sig' | 'enc'): Promise<JsonWebKey> {
  const { privateKey } = await generateKeyPair(alg, { ...generateOptions[alg], extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kty: jwk.kty ?? '', kid: kid || randomUUID(), alg, use };
}

/** Checks that an imported JWK is a usable asymmetric key for its `alg`; 400 otherwise. */
export async function assertUsableJwk(jwk: JsonWebKey): Promise<void> {
  if (jwk.kty === 'oct') throw invalidRequest('Symmetric keys (kty "oct") are not accepted.');
  if (!['sig', 'enc'].includes(jwk.use)) throw invalidRequest('The key\'s "use" must be "sig" or "enc".');
  if (!jwk.kid) throw invalidRequest('The key needs a "kid".');
  if (jwk.kty === 'RSA' && Buffer.from(String(jwk.n ?? ''), 'base64url').length * 8 < 2048) {
    throw invalidRequest('RSA keys must have a modulus of at least 2048 bits.');
  }
  try {
    const publicKey = await importJWK(publicPart(jwk) as JWK, jwk.alg);
    // jose checks little of the key material; a signature round trip proves
    // the key is usable and that a private key matches its public half.
    if (isPrivate(jwk) && jwk.use === 'sig') {
      const privateKey = await importJWK(jwk as JWK, jwk.alg);
      const jws = await new CompactSign(new Uint8Array([1])).setProtectedHeader({ alg: jwk.alg }).sign(privateKey);
      await compactVerify(jws, publicKey);
    }
  } catch (err) {
    throw invalidRequest(`The key is not a valid ${jwk.alg} key: ${(err as Error).message}`);
  }
}
