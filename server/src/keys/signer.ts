import { createHash } from 'node:crypto';
import { compactVerify, createLocalJWKSet, type JWK } from 'jose';
import type { Clock } from '../lib/clock.js';
import { createSetSigner } from './set-signer.js';
import { ID_TOKEN_SET, type KeyService } from './service.js';

/**
 * Signs ID tokens and logout tokens with the key of `hydra.openid.id-token`
 * that signs the client's algorithm (keys/choose.ts), and checks
 * `id_token_hint`s against the set. Keys are loaded and cached by
 * keys/set-signer.ts.
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

export function createIdTokenSigner(keys: KeyService, issuer: string, clock: Clock): IdTokenSigner {
  // RS256 is always offered (OIDC Discovery §3): recreate it if an admin removed every RS256 key.
  const set = createSetSigner(keys, ID_TOKEN_SET, clock, async (alg) => {
    if (alg !== 'RS256') return false;
    await keys.ensureSigningKeys();
    return true;
  });

  return {
    async sign(claims, options) {
      const { accessToken, code, typ = 'JWT', alg } = options;
      const payload = {
        ...claims,
        ...(accessToken === undefined ? {} : { at_hash: halfHash(accessToken, alg) }),
        ...(code === undefined ? {} : { c_hash: halfHash(code, alg) }),
      };
      return set.sign(payload, { alg, typ });
    },

    async verifyHint(token) {
      try {
        const jwks = createLocalJWKSet({ keys: (await keys.verificationKeys(ID_TOKEN_SET)) as JWK[] });
        const { payload, protectedHeader } = await compactVerify(token, jwks);
        // Only an ID token: the same keys sign logout tokens (typ logout+jwt, an `events` claim; OIDC Back-Channel Logout §2.4).
        if (protectedHeader.typ !== undefined && protectedHeader.typ.toUpperCase() !== 'JWT') return undefined;
        const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
        if ('events' in claims) return undefined;
        // Signed userinfo (OIDC Core §5.3.2) uses the same keys and typ, but never has `exp`; every ID token does (§2).
        if (typeof claims['exp'] !== 'number') return undefined;
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
