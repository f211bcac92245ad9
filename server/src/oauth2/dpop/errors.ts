import { OAuth2Error } from '../../errors/oauth2-error.js';

/*
 * DPoP's errors (RFC 9449 §5, §7.1, §8, §9). At the token endpoint they are
 * token errors (400, JSON); at a protected resource, 401 with a `DPoP`
 * challenge naming the error and the accepted algorithms (§7.1). A nonce
 * error carries the nonce to use in `DPoP-Nonce`.
 */

const PROOF_DESCRIPTION = 'The DPoP proof JWT is invalid.';
const NONCE_DESCRIPTION = 'The DPoP proof must carry the nonce the server provided.';

/** 400 `invalid_dpop_proof` (§5). */
export const invalidDpopProof = (hint: string): OAuth2Error => new OAuth2Error({ error: 'invalid_dpop_proof', status: 400, description: PROOF_DESCRIPTION, hint });

/** 400 `use_dpop_nonce` with the nonce to retry with (§8). */
export const useDpopNonce = (nonce: string, hint?: string): OAuth2Error =>
  new OAuth2Error({ error: 'use_dpop_nonce', status: 400, description: NONCE_DESCRIPTION, hint, headers: { 'DPoP-Nonce': nonce } });

export type ResourceErrorCode = 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce';

const RESOURCE_DESCRIPTIONS: ReadonlyMap<ResourceErrorCode, string> = new Map<ResourceErrorCode, string>([
  ['invalid_token', 'The access token provided is expired, revoked, malformed, or invalid for other reasons.'],
  ['invalid_dpop_proof', PROOF_DESCRIPTION],
  ['use_dpop_nonce', NONCE_DESCRIPTION],
]);

/** 401 with `WWW-Authenticate: DPoP error="…", algs="…"` (§7.1); `nonce` adds `DPoP-Nonce` (§9). */
export function resourceError(error: ResourceErrorCode, hint: string, algorithms: readonly string[], nonce?: string): OAuth2Error {
  const challenge = `DPoP realm="tessera", error="${error}", algs="${algorithms.join(' ')}"`;
  return new OAuth2Error({
    error,
    status: 401,
    description: RESOURCE_DESCRIPTIONS.get(error) ?? PROOF_DESCRIPTION,
    hint,
    headers: { 'WWW-Authenticate': challenge, ...(nonce !== undefined ? { 'DPoP-Nonce': nonce } : {}) },
  });
}
