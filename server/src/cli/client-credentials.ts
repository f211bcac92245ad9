import { UsageError } from './errors.js';
import { basicAuthorization } from './api.js';
import type { Values } from './client-body.js';

/*
 * How the CLI authenticates as an OAuth 2.0 client at the public API
 * (revoke, perform …): `--client-id` and `--client-secret` (or
 * $TESSERA_CLIENT_SECRET, which `ps` does not show), sent as HTTP Basic
 * (RFC 6749 §2.3.1); with no secret, a public client (`none`): the id goes in
 * the form.
 */

export interface ClientCredentials {
  readonly clientId: string;
  /** The Authorization header, or undefined for a public client. */
  readonly authorization: string | undefined;
  /** Form parameters the request carries for the client (client_id for a public one). */
  readonly form: Readonly<Record<string, string>>;
}

export function clientCredentials(v: Values, command: string): ClientCredentials {
  const clientId = v['client-id'];
  if (typeof clientId !== 'string' || clientId === '') throw new UsageError(`${command} needs --client-id`);
  const flag = v['client-secret'];
  const secret = typeof flag === 'string' ? flag : process.env['TESSERA_CLIENT_SECRET'] || undefined;
  return secret === undefined
    ? { clientId, authorization: undefined, form: { client_id: clientId } }
    : { clientId, authorization: basicAuthorization(clientId, secret), form: {} };
}

/** A flag that repeats, as a list (absent: empty). */
export function listOf(v: Values, flag: string): string[] {
  const value = v[flag];
  return Array.isArray(value) ? [...(value as string[])] : typeof value === 'string' ? [value] : [];
}
