import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { invalidClient } from '../../errors/catalog.js';
import type { AuthMethod } from './types.js';
import { verifyClientAssertion } from './assertion.js';

/** Asymmetric JWS algorithms (RFC 7518 §3.1, RFC 8037): an HMAC here would let the public key act as a secret. */
export const ASYMMETRIC_ALGS: readonly string[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/**
 * RFC 7523 §2.2, OIDC Core §9 private_key_jwt: the assertion is signed by a
 * key of the client's `jwks`, or of its `jwks_uri` (fetched through the SSRF
 * guard and cached; an unknown `kid` refetches). The algorithm is the
 * client's `token_endpoint_auth_signing_alg` when set.
 */
export const privateKeyJwt: AuthMethod = async (presented, client, deps, credentials) => {
  if (presented.method !== 'private_key_jwt') return false;
  const assertions = deps.assertions;
  if (!assertions) throw invalidClient('private_key_jwt is not available at this endpoint.');
  const algorithms = client.token_endpoint_auth_signing_alg ? [client.token_endpoint_auth_signing_alg] : ASYMMETRIC_ALGS;
  let key;
  if (client.jwks?.keys.length) key = createLocalJWKSet(client.jwks as JSONWebKeySet);
  else if (client.jwks_uri) key = assertions.remoteKeys(client.jwks_uri);
  else throw invalidClient('The client has neither jwks nor jwks_uri to verify its assertion with.');
  await verifyClientAssertion(presented.assertion, key, algorithms, client, assertions, credentials);
  return true;
};
