import type { OAuth2Client } from '@tessera/sdk';

/**
 * A registered client as the server holds it. The field names are the wire
 * names (Hydra's OAuth2Client): mapping forty fields to camelCase and back
 * would buy nothing but a place for bugs. The secret is never held, only its
 * hash; times are epoch milliseconds.
 */
export type Client = Omit<OAuth2Client, 'client_secret' | 'created_at' | 'updated_at'> & {
  readonly secret_hash: string | null;
  /** The secret a rotation replaced (clients/rotate.ts), still accepted until `previous_secret_expires_at` (epoch ms). */
  readonly previous_secret_hash?: string | null;
  readonly previous_secret_expires_at?: number | null;
  /** SHA-256 of the RFC 7592 registration access token, for dynamically registered clients. */
  readonly registration_token_hash?: string | null;
  readonly created_at: number;
  readonly updated_at: number;
};

/** RFC 6749 §2.1: a client that cannot keep a secret authenticates with `none`. */
export function isPublicClient(client: Pick<Client, 'token_endpoint_auth_method'>): boolean {
  return client.token_endpoint_auth_method === 'none';
}
