import { UsageError } from './errors.js';

/** The admin API call of `clients.ts` (endpoint, token and error handling already bound). */
type Call = (method: string, path: string, body?: unknown) => Promise<unknown>;

/**
 * `tessera clients rotate-secret <id> [--grace-period 24h]`: POST
 * /admin/clients/{id}/secret (an extension). Prints the client with its new
 * secret (shown this once) and `previous_secret_expires_at`.
 */
export async function rotateSecret(call: Call, id: string | undefined, values: Readonly<Record<string, unknown>>, show: (value: unknown) => void): Promise<number> {
  if (!id) throw new UsageError('clients rotate-secret needs a client id');
  const grace = values['grace-period'];
  if (grace !== undefined && typeof grace !== 'string') throw new UsageError('--grace-period needs a duration such as 24h or 0s');
  show(await call('POST', `admin/clients/${encodeURIComponent(id)}/secret`, grace === undefined ? {} : { grace_period: grace }));
  return 0;
}
