import { createHash } from 'node:crypto';
import { compactVerify, createLocalJWKSet, importJWK, SignJWT, type CryptoKey, type JWK, type KeyObject } from 'jose';
import type { Clock } from '../lib/clock.js';
import { serverError } from '../errors/catalog.js';
import { ID_TOKEN_SET, type KeyService } from './service.js';

/**
 * Signs ID tokens with the newest key of `hydra.openid.id-token` and checks
 * `id_token_hint`s against the set. The imported key is kept for a short
 * while: importing costs more than signing, and a rotation made through
 * another process is picked up within `CACHE_MS`.
 */
export interface IdTokenSigner {
  /**
   * Signs; with `accessToken`, adds `at_hash` (OIDC Core §3.1.3.6) for the
   * signing algorithm; `typ` defaults to JWT (logout tokens use logout+jwt).
   */
  sign(claims: Record<string, unknown>, options?: { accessToken?: string; typ?: string }): Promise<string>;
  /** The claims of an ID token this issuer signed, expired or not (OIDC Core §3.1.2.1); undefined otherwise. */
  verifyHint(token: string): Promise<Record<string, unknown> | undefined>;
}

const CACHE_MS = 30_000;

interface Loaded {
  readonly key: CryptoKey | KeyObject | Uint8Array;
  readonly kid: string;
  readonly alg: string;
  readonly at: number;
}

export function createIdTokenSigner(keys: KeyService, issuer: string, clock: Clock): IdTokenSigner {
  let loaded: Loaded | undefined;

  async function signingKey(): Promise<Loaded> {
    const now = clock.now();
    if (loaded && now - loaded.at < CACHE_MS) return loaded;
    const jwk = (await keys.signingKey(ID_TOKEN_SET)) ?? (await keys.ensureSigningKeys(), await keys.signingKey(ID_TOKEN_SET));
    if (!jwk) throw serverError().withDebug('no ID token signing key');
    loaded = { key: await importJWK(jwk as JWK, jwk.alg), kid: jwk.kid, alg: jwk.alg, at: now };
    return loaded;
  }

  return {
    async sign(claims, options = {}) {
      const { key, kid, alg } = await signingKey();
      const { accessToken, typ = 'JWT' } = options;
      const payload = accessToken === undefined ? claims : { ...claims, at_hash: halfHash(accessToken, alg) };
      return new SignJWT(payload).setProtectedHeader({ alg, kid, typ }).sign(key);
    },

    async verifyHint(token) {
      try {
        const jwks = createLocalJWKSet({ keys: (await keys.verificationKeys(ID_TOKEN_SET)) as JWK[] });
        const { payload } = await compactVerify(token, jwks);
        const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
        return claims['iss'] === issuer && typeof claims['sub'] === 'string' ? claims : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/** The left half of the token's hash, with the hash of the JWS algorithm (SHA-512 for EdDSA/Ed25519). */
function halfHash(token: string, alg: string): string {
  const hash = alg === 'EdDSA' || alg.endsWith('512') ? 'sha512' : alg.endsWith('384') ? 'sha384' : 'sha256';
  const digest = createHash(hash).update(token, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
