import type { Client } from '../../clients/client.js';
import { systemClock } from '../../lib/clock.js';
import type { ClientAuthDeps } from './types.js';

/**
 * The presented secret against the client's stored hash, then against the
 * secret a rotation replaced while its grace period lasts (extension:
 * POST /admin/clients/{id}/secret). Both go through the guard, so a chosen
 * secret costs scrypt once per process and failures are throttled.
 */
export async function secretMatches(client: Client, secret: string, deps: ClientAuthDeps, peer: string | undefined): Promise<boolean> {
  if (client.secret_hash && (await deps.secrets.verify(client.client_id, secret, client.secret_hash, peer))) return true;
  const previous = client.previous_secret_hash;
  const until = client.previous_secret_expires_at ?? 0;
  if (!previous || until <= (deps.clock ?? systemClock).now()) return false;
  return deps.secrets.verify(client.client_id, secret, previous, peer);
}
