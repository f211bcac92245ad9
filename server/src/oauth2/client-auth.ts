import type { Client } from '../clients/client.js';
import type { SecretGuard } from '../clients/secret-guard.js';
import { invalidClient, invalidRequest } from '../errors/catalog.js';
import { isCleanText } from '../lib/text.js';
import type { ClientStore } from '../storage/ports.js';

/*
 * Client authentication at the token and revocation endpoints
 * (RFC 6749 §2.3, OpenID Connect Core §9): exactly one method, and the one
 * the client registered. Every failure is the same `invalid_client`, so the
 * answer does not tell an unknown client from a wrong secret; past too many
 * wrong admin-chosen secrets, 429 (clients/secret-guard.ts). The token
 * endpoint (koa and fast lane alike) and revocation both come here.
 */

export interface ClientAuthDeps {
  readonly clients: Pick<ClientStore, 'get'>;
  readonly secrets: SecretGuard;
}

export interface ClientCredentials {
  readonly authorization: string | undefined;
  readonly form: { readonly client_id?: string | undefined; readonly client_secret?: string | undefined };
  /** The caller's address: failed secret checks are throttled per client and address (clients/secret-guard.ts). */
  readonly peer?: string | undefined;
}

type Presented = { method: 'client_secret_basic' | 'client_secret_post'; id: string; secret: string } | { method: 'none'; id: string };

function formDecode(part: string): string {
  // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
  return decodeURIComponent(part.replace(/\+/g, '%20'));
}

function presented({ authorization, form }: ClientCredentials): Presented {
  if (authorization !== undefined && /^basic /i.test(authorization)) {
    if (form.client_secret !== undefined) throw invalidRequest('Use one client authentication method, not Basic and client_secret together (RFC 6749 §2.3).');
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw invalidClient('The Basic credentials are malformed.');
    let id: string;
    let secret: string;
    try {
      id = formDecode(decoded.slice(0, colon));
      secret = formDecode(decoded.slice(colon + 1));
    } catch {
      throw invalidClient('The Basic credentials are not form-urlencoded (RFC 6749 §2.3.1).');
    }
    // The id reaches the client lookup: the same text rules as any parameter (lib/text.ts).
    if (!isCleanText(id) || !isCleanText(secret)) throw invalidClient('The Basic credentials must be UTF-8 text without NUL characters.');
    if (form.client_id !== undefined && form.client_id !== id) throw invalidRequest('client_id differs from the Basic credentials.');
    return { method: 'client_secret_basic', id, secret };
  }
  const id = form.client_id;
  if (!id) throw invalidClient('No client credentials were sent.');
  const secret = form.client_secret;
  return secret === undefined ? { method: 'none', id } : { method: 'client_secret_post', id, secret };
}

export async function authenticateClient(credentials: ClientCredentials, { clients, secrets }: ClientAuthDeps): Promise<Client> {
  const p = presented(credentials);
  const client = await clients.get(p.id);
  if (!client) throw invalidClient();
  if (client.token_endpoint_auth_method !== p.method) {
    throw invalidClient(`The client is registered for "${client.token_endpoint_auth_method}" but used "${p.method}".`);
  }
  if (p.method !== 'none' && !(client.secret_hash && (await secrets.verify(client.client_id, p.secret, client.secret_hash, credentials.peer)))) {
    throw invalidClient();
  }
  return client;
}
