import type { Client } from '../clients/client.js';
import { invalidClient } from '../errors/catalog.js';
import type { AuthMethod, ClientAuthDeps, ClientCredentials } from './client-auth/types.js';
import { presented } from './client-auth/presented.js';
import { clientSecretBasic } from './client-auth/basic.js';
import { clientSecretPost } from './client-auth/post.js';
import { none } from './client-auth/none.js';
import { privateKeyJwt } from './client-auth/private-key-jwt.js';
import { clientSecretJwt } from './client-auth/client-secret-jwt.js';

export type { AssertionDeps, ClientAuthDeps, ClientCredentials } from './client-auth/types.js';
export { JWT_BEARER_ASSERTION } from './client-auth/presented.js';

/*
 * Client authentication at every endpoint that authenticates clients
 * (RFC 6749 §2.3, RFC 7523 §2.2, OpenID Connect Core §9): exactly one
 * method, and the one the client registered. Every failure is the same
 * `invalid_client`, so the answer does not tell an unknown client from a
 * wrong secret; past too many wrong admin-chosen secrets, 429
 * (clients/secret-guard.ts). The token endpoint (koa and fast lane alike),
 * revocation and device authorization all come here.
 */

/**
 * One file per method (client-auth/*.ts). A Map: the registered method comes
 * from stored metadata, but nothing keyed by text should reach Object's
 * prototype (DESIGN.md).
 */
const METHODS: ReadonlyMap<string, AuthMethod> = new Map<string, AuthMethod>([
  ['client_secret_basic', clientSecretBasic],
  ['client_secret_post', clientSecretPost],
  ['none', none],
  ['private_key_jwt', privateKeyJwt],
  ['client_secret_jwt', clientSecretJwt],
]);

export const SUPPORTED_AUTH_METHODS: readonly string[] = [...METHODS.keys()];

export async function authenticateClient(credentials: ClientCredentials, deps: ClientAuthDeps): Promise<Client> {
  const p = presented(credentials);
  const client = await deps.clients.get(p.id);
  if (!client) throw invalidClient();
  if (client.token_endpoint_auth_method !== p.method) {
    throw invalidClient(`The client is registered for "${client.token_endpoint_auth_method}" but used "${p.method}".`);
  }
  const method = METHODS.get(client.token_endpoint_auth_method);
  if (!method || !(await method(p, client, deps, credentials))) throw invalidClient();
  return client;
}
