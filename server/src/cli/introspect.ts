import { UsageError } from './errors.js';
import { adminToken, callApi, endpointFor } from './api.js';
import { INTROSPECTION_COLUMNS, keyValues, parseFormat, show, type Row } from './format.js';
import type { Values } from './client-body.js';

/**
 * `tessera introspect token TOKEN [--scope "a b"]` (Hydra's `hydra introspect
 * token`): RFC 7662 at the admin API. An inactive token is an answer, not a
 * failure: `{"active": false}`, exit 0.
 */
export async function introspectCommand(args: { positionals: readonly string[]; endpoint: string | undefined; tokenFile: string | undefined; values: Values }, out: (line: string) => void): Promise<number> {
  const [what, token, ...extra] = args.positionals;
  if (what !== 'token') throw new UsageError('introspect needs: token TOKEN');
  if (!token || extra.length > 0) throw new UsageError('introspect token takes one TOKEN');
  const format = parseFormat(args.values['format']);
  const scope = args.values['scope'];
  const admin = adminToken(args.tokenFile);
  const target = { api: 'admin' as const, endpoint: endpointFor('admin', args.endpoint), authorization: admin ? `Bearer ${admin}` : undefined };
  const form: Record<string, string> = { token };
  if (typeof scope === 'string') form['scope'] = scope;
  const answer = await callApi(target, { method: 'POST', path: 'admin/oauth2/introspect', form });
  show(format, answer, () => keyValues(answer as Row, INTROSPECTION_COLUMNS, out), out);
  return 0;
}
