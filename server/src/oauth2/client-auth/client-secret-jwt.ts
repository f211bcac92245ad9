import { compactVerify } from 'jose';
import { invalidClient } from '../../errors/catalog.js';
import { systemClock } from '../../lib/clock.js';
import type { AuthMethod } from './types.js';
import { verifyClientAssertion } from './assertion.js';

export const HMAC_ALGS: readonly string[] = ['HS256', 'HS384', 'HS512'];

/**
 * OIDC Core §9 client_secret_jwt: the assertion is an HMAC under the client
 * secret, so the server needs the secret itself. Such clients' secrets are
 * sealed with the system secret (AES-GCM, clients/secret.ts) instead of
 * hashed. During a rotation's grace period the previous secret verifies too.
 */
export const clientSecretJwt: AuthMethod = async (presented, client, deps, credentials) => {
  if (presented.method !== 'client_secret_jwt') return false;
  const assertions = deps.assertions;
  if (!assertions) throw invalidClient('client_secret_jwt is not available at this endpoint.');
  const algorithms = client.token_endpoint_auth_signing_alg ? [client.token_endpoint_auth_signing_alg] : HMAC_ALGS;
  const now = (deps.clock ?? systemClock).now();
  const stored = [client.secret_hash];
  if (client.previous_secret_hash && (client.previous_secret_expires_at ?? 0) > now) stored.push(client.previous_secret_hash);
  const secrets = stored.flatMap((s) => {
    const open = s ? assertions.openSecret(client, s) : undefined;
    return open === undefined ? [] : [new TextEncoder().encode(open)];
  });
  if (secrets.length === 0) throw invalidClient('The client has no secret to verify its assertion with.');
  // During a grace period either secret may have signed: the one whose MAC matches checks the claims.
  const key = (await signedBy(presented.assertion, secrets, algorithms)) ?? secrets[0];
  await verifyClientAssertion(presented.assertion, key ?? new Uint8Array(), algorithms, client, assertions, credentials);
  return true;
};

async function signedBy(jwt: string, keys: readonly Uint8Array[], algorithms: readonly string[]): Promise<Uint8Array | undefined> {
  if (keys.length === 1) return keys[0];
  for (const key of keys) {
    try {
      await compactVerify(jwt, key, { algorithms: [...algorithms] });
      return key;
    } catch {
      // Not this one.
    }
  }
  return undefined;
}
