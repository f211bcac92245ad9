import type { OAuth2Client } from '@tessera/sdk';
import type { Client } from './client.js';

/** Domain → wire. The secret appears only when the caller is meant to see it (create, or a new secret). */
export function toWire(client: Client, secret?: string): OAuth2Client {
  const { secret_hash: _hash, previous_secret_hash: _previous, previous_secret_expires_at: _until, registration_token_hash: _registration, created_at, updated_at, client_id, client_name, ...rest } = client;
  return {
    client_id,
    client_name,
    ...(secret === undefined ? {} : { client_secret: secret }),
    ...rest,
    created_at: new Date(created_at).toISOString(),
    updated_at: new Date(updated_at).toISOString(),
  };
}
