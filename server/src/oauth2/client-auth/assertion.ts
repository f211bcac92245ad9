import { errors as joseErrors, jwtVerify, type CryptoKey, type JWTVerifyGetKey, type KeyObject } from 'jose';
import type { Client } from '../../clients/client.js';
import { invalidClient } from '../../errors/catalog.js';
import { sha256 } from '../../lib/crypto.js';
import type { OAuth2Error } from '../../errors/oauth2-error.js';
import { RemoteKeysError } from './remote-keys.js';
import type { AssertionDeps, ClientCredentials } from './types.js';

/** The `jti` table's key of a JWT id: per kind and issuer, hashed to a fixed width. */
export function jtiKey(kind: 'client' | 'grant' | 'dpop', issuer: string, jti: string): string {
  return sha256(`${kind}\0${issuer}\0${jti}`).toString('base64url');
}

/**
 * Clock skew allowed between the client and us, on `exp`, `nbf` and `iat`
 * (oidc-provider allows 15 s too); a `jti` is kept that much longer than its
 * `exp`, so the tolerance opens no replay window.
 */
export const CLOCK_SKEW_S = 15;

type VerifyKey = CryptoKey | KeyObject | Uint8Array | JWTVerifyGetKey;

function refused(err: unknown): OAuth2Error {
  // Why the fetch failed (an address, a status) is for the operator, not the caller.
  if (err instanceof RemoteKeysError) return invalidClient("The client's jwks_uri could not be fetched.").withDebug(err.message);
  // jose's messages name the claim or the key problem, never the token: safe as a hint.
  const reason = err instanceof joseErrors.JOSEError ? err.message : 'it could not be verified';
  return invalidClient(`The client assertion is invalid: ${reason} (RFC 7523 §3).`);
}

/**
 * RFC 7523 §3 (and OIDC Core §9): signed by the client's key with an allowed
 * algorithm; `iss` = `sub` = client_id; `aud` names this server (issuer,
 * token endpoint or the endpoint called); `exp` present, not past, and at
 * most `max_ttl` ahead; `jti` present and never accepted before, until `exp`
 * (a unique insert, so a replay loses on any process).
 */
export async function verifyClientAssertion(
  assertion: string,
  key: VerifyKey,
  algorithms: readonly string[],
  client: Client,
  deps: AssertionDeps,
  credentials: ClientCredentials,
): Promise<void> {
  const now = deps.clock.now();
  const audience = credentials.endpoint ? [...deps.audiences, credentials.endpoint] : [...deps.audiences];
  let payload;
  try {
    const options = { algorithms: [...algorithms], issuer: client.client_id, subject: client.client_id, audience, currentDate: new Date(now), clockTolerance: CLOCK_SKEW_S, requiredClaims: ['exp', 'jti'] };
    // Overloads differ only in the key's type: one call site per kind keeps TypeScript's overload choice plain.
    payload = (typeof key === 'function' ? await jwtVerify(assertion, key, options) : await jwtVerify(assertion, key, options)).payload;
  } catch (err) {
    throw refused(err);
  }
  const expMs = (payload.exp ?? 0) * 1000;
  if (expMs > now + deps.maxTtl) {
    throw invalidClient(`The client assertion expires too far ahead: "exp" may be at most ${Math.floor(deps.maxTtl / 1000)} seconds from now.`);
  }
  const jti = payload.jti;
  if (typeof jti !== 'string' || jti === '') throw invalidClient('The client assertion has no "jti" (RFC 7523 §3).');
  if (!(await deps.jtis.use(jtiKey('client', client.client_id, jti), expMs + CLOCK_SKEW_S * 1000, now))) {
    throw invalidClient('The client assertion was used before: its "jti" may be used once (RFC 7523 §3).');
  }
}
