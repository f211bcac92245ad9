import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto';
import { randomToken, sha256 } from '../lib/crypto.js';
import type { Sealer } from '../keys/seal.js';

/*
 * Client secrets are stored hashed, never in clear. How depends on where the
 * secret came from:
 * - generated here (32 random bytes): a plain SHA-256 is enough, since a
 *   256-bit random value cannot be guessed or brute-forced, and it keeps the
 *   token endpoint fast (DESIGN.md: no slow KDF for generated secrets);
 * - chosen by the caller (may be a password): scrypt, N=2^14, r=8, p=1.
 * The scheme prefix lets `verifySecret` tell them apart.
 */

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;

function scrypt(secret: BinaryLike, salt: BinaryLike, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(secret, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export function generateSecret(): string {
  return randomToken(32);
}

export function hashGeneratedSecret(secret: string): string {
  return `sha256$${sha256(secret).toString('base64url')}`;
}

export async function hashChosenSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Whether checking a secret against this hash runs the slow KDF (a secret the admin chose). */
export function isSlowHash(stored: string): boolean {
  return stored.startsWith('scrypt$');
}

/** Constant-time check of a presented secret against a stored hash. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, ...parts] = stored.split('$');
  if (scheme === 'sha256') {
    // Both sides are 32-byte digests: compared directly, in constant time.
    const want = Buffer.from(parts[0] ?? '', 'base64url');
    const got = sha256(secret);
    return want.length === got.length && timingSafeEqual(got, want);
  }
  if (scheme === 'scrypt') {
    const [n, r, p, salt, expected] = parts;
    if (!n || !r || !p || !salt || !expected) return false;
    const want = Buffer.from(expected, 'base64url');
    const got = await scrypt(secret, Buffer.from(salt, 'base64url'), want.length, { N: Number(n), r: Number(r), p: Number(p) });
    return got.length === want.length && timingSafeEqual(got, want);
  }
  return false;
}

/*
 * client_secret_jwt (OIDC Core §9) MACs with the secret itself, which a hash
 * cannot give back: such clients' secrets are sealed (AES-256-GCM under a key
 * derived from secrets.system, keys/seal.ts) with the client id as associated
 * data, so a sealed secret cannot be moved to another client. `sealed$` is
 * its scheme; `verifySecret` never accepts it (such clients never present the
 * secret itself).
 */
export const SECRET_SEAL_PURPOSE = 'tessera/client-secret/v1';

export function sealSecret(sealer: Sealer, clientId: string, secret: string): string {
  return `sealed$${sealer.seal(secret, clientId)}`;
}

/** The secret in clear, or undefined when `stored` is not sealed or no configured system secret opens it. */
export function openSealedSecret(sealer: Sealer, clientId: string, stored: string): string | undefined {
  if (!stored.startsWith('sealed$')) return undefined;
  try {
    return sealer.open(stored.slice('sealed$'.length), clientId);
  } catch {
    return undefined;
  }
}

export const isSealedSecret = (stored: string): boolean => stored.startsWith('sealed$');
