import { constants, createPrivateKey, sign, type JsonWebKey, type KeyObject, type SignKeyObjectInput } from 'node:crypto';

/*
 * Compact JWS (RFC 7515 §7.1) signed with node:crypto's callback form of
 * `sign`, which runs on libuv's thread pool like WebCrypto but without its
 * per-call job set-up: a refresh profile spent 14 % of the event loop in
 * WebCrypto's job promise (node:internal/crypto/util), beside jose's claim
 * builder, for every ID token (issue 20). Only the asymmetric algorithms
 * Tessera's key sets hold (keys/choose.ts); anything else is undefined and
 * the caller signs with jose.
 */

type Options = Omit<SignKeyObjectInput, 'key'>;

const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } as const;
const P1363 = { dsaEncoding: 'ieee-p1363' } as const;

/** Digest and signing options per JWS `alg` (RFC 7518 §3). */
const ALGORITHMS: ReadonlyMap<string, { readonly digest: string | null; readonly options: Options }> = new Map([
  ['RS256', { digest: 'sha256', options: {} }],
  ['RS384', { digest: 'sha384', options: {} }],
  ['RS512', { digest: 'sha512', options: {} }],
  ['PS256', { digest: 'sha256', options: PSS }],
  ['PS384', { digest: 'sha384', options: PSS }],
  ['PS512', { digest: 'sha512', options: PSS }],
  ['ES256', { digest: 'sha256', options: P1363 }],
  ['ES384', { digest: 'sha384', options: P1363 }],
  ['ES512', { digest: 'sha512', options: P1363 }],
  ['EdDSA', { digest: null, options: {} }],
]);

export interface CompactSigner {
  (header: Readonly<Record<string, unknown>>, claims: Readonly<Record<string, unknown>>): Promise<string>;
}

/** A signer for a private JWK with `alg`, or undefined when node:crypto is not used for it. */
export function compactSigner(jwk: Readonly<Record<string, unknown>>, alg: string): CompactSigner | undefined {
  const algorithm = ALGORITHMS.get(alg);
  if (algorithm === undefined || typeof jwk['d'] !== 'string') return undefined;
  const key: KeyObject = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
  const input: SignKeyObjectInput = { key, ...algorithm.options };
  return (header, claims) => {
    const signingInput = `${encode(header)}.${encode(claims)}`;
    return new Promise((resolve, reject) => {
      sign(algorithm.digest, Buffer.from(signingInput, 'ascii'), input, (err, signature) => {
        if (err) reject(err);
        else resolve(`${signingInput}.${signature.toString('base64url')}`);
      });
    });
  };
}

const encode = (value: Readonly<Record<string, unknown>>) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
