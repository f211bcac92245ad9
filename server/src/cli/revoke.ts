import { UsageError } from './errors.js';
import { callApi, endpointFor } from './api.js';
import { clientCredentials } from './client-credentials.js';
import type { Values } from './client-body.js';

const HINTS = ['access_token', 'refresh_token'];

/**
 * `tessera revoke token TOKEN --client-id ID [--client-secret S]` (Hydra's
 * `hydra revoke token`): RFC 7009 at the public API, as the client the token
 * was issued to. The server answers 200 for a token it does not know too
 * (RFC 7009 §2.2), so "revoked" says only that the request was accepted.
 */
export async function revokeCommand(args: { positionals: readonly string[]; endpoint: string | undefined; values: Values }, out: (line: string) => void): Promise<number> {
  const [what, token, ...extra] = args.positionals;
  if (what !== 'token') throw new UsageError('revoke needs: token TOKEN');
  if (!token || extra.length > 0) throw new UsageError('revoke token takes one TOKEN');
  const hint = args.values['token-type-hint'];
  if (hint !== undefined && (typeof hint !== 'string' || !HINTS.includes(hint))) throw new UsageError(`--token-type-hint takes ${HINTS.join(' or ')}`);
  const client = clientCredentials(args.values, 'revoke token');
  const target = { api: 'public' as const, endpoint: endpointFor('public', args.endpoint), authorization: client.authorization };
  await callApi(target, { method: 'POST', path: 'oauth2/revoke', form: { ...client.form, token, ...(hint ? { token_type_hint: hint } : {}) } });
  out('token revoked');
  return 0;
}
