import type { Config } from '../config/schema.js';
import type { Clock } from '../lib/clock.js';
import { createJwtAccessTokens, type JwtAccessTokens } from '../tokens/jwt.js';
import { createSetSigner } from './set-signer.js';
import { JWT_ACCESS_TOKEN_SET, type KeyService } from './service.js';

/**
 * JWT access tokens (tokens/jwt.ts) signed and checked with
 * hydra.jwt.access-token. Its RS256 key is created at start when
 * `strategies.access_token` is `jwt`, else by the first JWT access token (a
 * client's `access_token_strategy`), and again if every RS256 key is deleted.
 */
export function createJwtAccessTokenService(keys: KeyService, issuer: string, clock: Clock): JwtAccessTokens {
  const signer = createSetSigner(keys, JWT_ACCESS_TOKEN_SET, clock, async (alg) => {
    if (alg !== 'RS256') return false;
    await keys.ensureAccessTokenKey();
    return true;
  });
  return createJwtAccessTokens({
    issuer,
    clock,
    sign: (claims, options) => signer.sign(claims, options),
    verificationKeys: () => keys.verificationKeys(JWT_ACCESS_TOKEN_SET),
    generation: () => keys.generation(),
  });
}

/** Clock skew a relying party may allow past `exp` (RFC 7519 §4.1.4 "a few minutes"). */
const SKEW_MS = 5 * 60_000;

/**
 * How long a retired signing key stays in the JWKS after its successor took
 * over: the longest configured lifetime of a JWT it signed (access token,
 * ID token), plus clock skew. A client's `*_lifespan` longer than these is
 * not covered (README "Key rotation").
 */
export function keyRetention(config: Pick<Config, 'ttl'>): number {
  return Math.max(config.ttl.access_token, config.ttl.id_token) + SKEW_MS;
}
