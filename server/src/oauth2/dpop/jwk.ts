import { constants, createPublicKey, verify, type JsonWebKey as NodeJwk, type KeyObject } from 'node:crypto';
import { sha256 } from '../../lib/crypto.js';

/*
 * The proof's own key (RFC 9449 §4.2 `jwk`): which algorithms, which key
 * types they need, its RFC 7638 thumbprint, and the signature check, with
 * node:crypto synchronously (as tokens/jwt.ts does, for the same reason: the
 * token endpoint is a hot path).
 */

interface Algorithm {
  readonly kty: 'EC' | 'RSA' | 'OKP';
  /** The curve an EC or OKP key must be on. */
  readonly crv?: string;
  readonly check: (data: Buffer, key: KeyObject, signature: Buffer) => boolean;
}

const rsa = (hash: string): Algorithm => ({ kty: 'RSA', check: (d, key, s) => verify(hash, d, key, s) });
const pss = (hash: string, saltLength: number): Algorithm => ({
  kty: 'RSA',
  check: (d, key, s) => verify(hash, d, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, s),
});
const ec = (hash: string, crv: string): Algorithm => ({ kty: 'EC', crv, check: (d, key, s) => verify(hash, d, { key, dsaEncoding: 'ieee-p1363' }, s) });

/** Asymmetric algorithms only (RFC 9449 §4.3 item 5: never `none` nor a MAC). A Map: `alg` is request input. */
export const DPOP_ALGORITHMS: ReadonlyMap<string, Algorithm> = new Map<string, Algorithm>([
  ['ES256', ec('sha256', 'P-256')],
  ['ES384', ec('sha384', 'P-384')],
  ['ES512', ec('sha512', 'P-521')],
  ['EdDSA', { kty: 'OKP', crv: 'Ed25519', check: (d, key, s) => verify(null, d, key, s) }],
  // RFC 9864's fully-specified name for EdDSA over Ed25519 (what oauth4webapi/openid-client send).
  ['Ed25519', { kty: 'OKP', crv: 'Ed25519', check: (d, key, s) => verify(null, d, key, s) }],
  ['PS256', pss('sha256', 32)],
  ['PS384', pss('sha384', 48)],
  ['PS512', pss('sha512', 64)],
  ['RS256', rsa('sha256')],
  ['RS384', rsa('sha384')],
  ['RS512', rsa('sha512')],
]);

/** RFC 7638 §3.2: the required members of each key type, in lexicographic order. */
const THUMBPRINT_MEMBERS: ReadonlyMap<string, readonly string[]> = new Map([
  ['EC', ['crv', 'kty', 'x', 'y']],
  ['RSA', ['e', 'kty', 'n']],
  ['OKP', ['crv', 'kty', 'x']],
]);

/** Members only a private (or symmetric) key has: a proof carrying one is refused (RFC 9449 §4.3 item 7). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

const MIN_RSA_BITS = 2048;

export interface ProofKey {
  readonly key: KeyObject;
  /** RFC 7638 SHA-256 thumbprint, base64url: what tokens are bound to (`cnf.jkt`, RFC 9449 §6). */
  readonly jkt: string;
}

/** The key of `jwk` for `alg`, or a reason it cannot be one. */
export function importProofKey(jwk: unknown, alg: string): ProofKey | string {
  const algorithm = DPOP_ALGORITHMS.get(alg);
  if (!algorithm) return `the algorithm "${alg}" is not supported`;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return 'the header has no "jwk" object';
  const fields = jwk as Record<string, unknown>;
  if (PRIVATE_MEMBERS.some((m) => m in fields)) return 'the "jwk" header must be a public key';
  if (fields['kty'] !== algorithm.kty || (algorithm.crv !== undefined && fields['crv'] !== algorithm.crv)) return `the "jwk" is not a key for ${alg}`;
  const members = THUMBPRINT_MEMBERS.get(algorithm.kty) ?? [];
  if (members.some((m) => typeof fields[m] !== 'string')) return 'the "jwk" is incomplete';
  const canonical: Record<string, unknown> = {};
  for (const m of members) canonical[m] = fields[m];
  let key: KeyObject;
  try {
    key = createPublicKey({ key: canonical as NodeJwk, format: 'jwk' });
  } catch {
    return 'the "jwk" is not a valid key';
  }
  if (algorithm.kty === 'RSA' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) return `RSA keys must have at least ${MIN_RSA_BITS} bits`;
  return { key, jkt: sha256(JSON.stringify(canonical)).toString('base64url') };
}

/** Whether `signature` over `data` is `alg`'s by `key` (the key was imported for `alg`). */
export function signatureValid(alg: string, data: Buffer, key: KeyObject, signature: Buffer): boolean {
  const algorithm = DPOP_ALGORITHMS.get(alg);
  try {
    return algorithm !== undefined && algorithm.check(data, key, signature);
  } catch {
    return false;
  }
}

/** A JWK thumbprint's shape (SHA-256, base64url): `dpop_jkt` (RFC 9449 §10). */
export const JKT_PATTERN = /^[A-Za-z0-9_-]{43}$/;
