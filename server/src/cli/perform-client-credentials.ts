import { UsageError } from './errors.js';
import { callApi, endpointFor } from './api.js';
import { clientCredentials, listOf } from './client-credentials.js';
import { keyValues, parseFormat, show, TOKEN_COLUMNS, type Row } from './format.js';
import type { PerformArgs } from './perform.js';

/**
 * `tessera perform client-credentials --client-id ID --client-secret S
 * [--scope "a b"] [--audience A]…`: RFC 6749 §4.4 at the public API.
 */
export async function performClientCredentials(args: PerformArgs, out: (line: string) => void): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError('perform client-credentials takes no arguments, only flags');
  const format = parseFormat(args.values['format']);
  const client = clientCredentials(args.values, 'perform client-credentials');
  if (!client.authorization) throw new UsageError('perform client-credentials needs --client-secret (or $TESSERA_CLIENT_SECRET): a public client cannot use this grant');
  const form: Record<string, string | string[]> = { grant_type: 'client_credentials' };
  const scope = args.values['scope'];
  if (typeof scope === 'string') form['scope'] = scope;
  const audience = listOf(args.values, 'audience');
  if (audience.length > 0) form['audience'] = audience.join(' ');
  const target = { api: 'public' as const, endpoint: endpointFor('public', args.endpoint), authorization: client.authorization };
  const tokens = await callApi(target, { method: 'POST', path: 'oauth2/token', form });
  show(format, tokens, () => keyValues(tokens as Row, TOKEN_COLUMNS, out), out);
  return 0;
}
