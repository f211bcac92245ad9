import { createHash } from 'node:crypto';
import { compactVerify, createLocalJWKSet, importJWK, SignJWT, type CryptoKey, type JWK, type KeyObject } from 'jose';
import type { Clock } from '../lib/clock.js';
import { serverError } from '../errors/catalog.js';
import { ID_TOKEN_SET, type KeyService } from './service.js';

/**
 * Signs ID tokens and logout tokens with the key of `hydra.openid.id-token`
 * that signs the client's algorithm (keys/choose.ts), and checks
 * `id_token_hint`s against the set. The imported key is kept for a short
 * while (importing costs more than signing): until a key change through this
 * process, the moment a pre-published key takes over, or `CACHE_MS`, within
 * which a change made through another process is picked up.
 */
export interface IdTokenSigner {
  /**
   * Signs with `alg` (the client's id_token_signed_response_alg); with
   * `accessToken`, adds `at_hash` (OIDC Core §3.1.3.6) for that algorithm, with
   * `code` `c_hash` (§3.3.2.11); `typ` defaults to JWT (logout tokens use logout+jwt).
   */
  sign(claims: Record<string, unknown>, options: { alg: string; accessToken?: string | undefined; code?: string | undefined; typ?: string }): Promise<string>;
  /** The claims of an ID token this issuer signed, expired or not (OIDC Core §3.1.2.1); undefined otherwise. */
  verifyHint(token: string): Promise<Record<string, unknown> | undefined>;
}

const CACHE_MS = 30_000;

interface Loaded {
  readonly key: CryptoKey | KeyObject | Uint8Array;
  readonly kid: string;
  readonly alg: string;
  /** When to look again (ms), and the key service's generation it was loaded at. */
  readonly until: number;
  readonly generation: number;
}

export function createIdTokenSigner(keys: KeyService, issuer: string, clock: Clock): IdTokenSigner {
  const loaded = new Map<string, Loaded>();

  async function choose(alg: string) {
    const chosen = await keys.signingKey(ID_TOKEN_SET, alg);
    if (chosen || alg !== 'RS256') return chosen;
    // RS256 is always offered (OIDC Discovery §3): recreate it if an admin removed every RS256 key.
    await keys.ensureSigningKeys();
    return keys.signingKey(ID_TOKEN_SET, alg);
  }

  async function signingKey(alg: string): Promise<Loaded> {
    const now = clock.now();
    const generation = keys.generation();
    const cached = loaded.get(alg);
    if (cached && now < cached.until && cached.generation === generation) return cached;
    const chosen = await choose(alg);
    if (!chosen || chosen.jwk.alg !== alg) {
      throw serverError().withDebug(`${ID_TOKEN_SET} has no private ${alg} signing key (the client's id_token_signed_response_alg)`);
    }
    const { jwk, until } = chosen;
    const fresh = { key: await importJWK(jwk as JWK, alg), kid: jwk.kid, alg, until: Math.min(now + CACHE_MS, until), generation };
    loaded.set(alg, fresh);
    return fresh;
  }

  return {
    async sign(claims, options) {
      const { key, kid, alg } = await signingKey(options.alg);
      const { accessToken, code, typ = 'JWT' } = options;
      const payload = {
        ...claims,
        ...(accessToken === undefined ? {} : { at_hash: halfHash(accessToken, alg) }),
        ...(code === undefined ? {} : { c_hash: halfHash(code, alg) }),
      };
      return new SignJWT(payload).setProtectedHeader({ alg, kid, typ }).sign(key);
    },

    async verifyHint(token) {
      try {
        const jwks = createLocalJWKSet({ keys: (await keys.verificationKeys(ID_TOKEN_SET)) as JWK[] });
        const { payload, protectedHeader } = await compactVerify(token, jwks);
        // Only an ID token: the same keys sign logout tokens (typ logout+jwt, an `events` claim; OIDC Back-Channel Logout §2.4).
        if (protectedHeader.typ !== undefined && protectedHeader.typ.toUpperCase() !== 'JWT') return undefined;
        const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
        if ('events' in claims) return undefined;
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
