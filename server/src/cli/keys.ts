import { UsageError } from './errors.js';
import { adminToken, callApi, endpointFor, type Target } from './api.js';

/** One admin API request with a JSON body (or none). */
const call = (target: Target, method: string, path: string, body?: unknown) => callApi(target, { method, path, json: body });

/*
 * `tessera keys create|list|get|delete|rotate <set>` through the admin API
 * (/admin/keys, Hydra's jwk handler), like `tessera clients`. Only public
 * members are printed: private keys stay in the server (fetch them with the
 * admin API if you must move them).
 *
 * `rotate` adds one new key per algorithm the set signs with (or `--alg`).
 * The new key is published in the JWKS at once and signs only after
 * `keys.pre_publication`; the old key keeps signing until then, and stays
 * published until what it signed has expired (README "Key rotation").
 */

export interface KeysArgs {
  readonly positionals: readonly string[];
  readonly endpoint: string | undefined;
  readonly tokenFile?: string | undefined;
  readonly alg?: string | undefined;
  readonly kid?: string | undefined;
  readonly use?: string | undefined;
}

type Out = (line: string) => void;
type Jwk = Record<string, unknown> & { kid?: string; alg?: string; use?: string };

/** RFC 7518 §6.2.2, §6.3.2, §6.4.1, RFC 8037 §2. */
const PRIVATE = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']);
const publicOnly = (jwk: Jwk): Jwk => Object.fromEntries(Object.entries(jwk).filter(([m]) => !PRIVATE.has(m)));
const keysOf = (answer: unknown): Jwk[] => ((answer as { keys?: Jwk[] } | undefined)?.keys ?? []);

/** The algorithms the set signs with: its private `sig` keys'. */
export function rotationAlgs(keys: readonly Jwk[]): string[] {
  return [...new Set(keys.filter((k) => k.use === 'sig' && 'd' in k && typeof k.alg === 'string').map((k) => k.alg as string))];
}

export async function keys(args: KeysArgs, out: Out): Promise<number> {
  const [action, set, kid] = args.positionals;
  const endpoint = endpointFor('admin', args.endpoint);
  if (!set) throw new UsageError(`keys ${action ?? ''} needs a key set, e.g. hydra.openid.id-token`.replace('  ', ' '));
  const token = adminToken(args.tokenFile);
  const target: Target = { api: 'admin', endpoint, authorization: token ? `Bearer ${token}` : undefined };
  const path = `admin/keys/${encodeURIComponent(set)}`;
  const show = (list: readonly Jwk[]) => out(JSON.stringify({ keys: list.map(publicOnly) }, null, 2));
  switch (action) {
    case 'create': {
      if (!args.alg) throw new UsageError('keys create needs --alg (RS256, PS256, ES256 or EdDSA)');
      show(keysOf(await call(target, 'POST', path, { alg: args.alg, ...(args.kid ? { kid: args.kid } : {}), ...(args.use ? { use: args.use } : {}) })));
      return 0;
    }
    case 'list':
      show(keysOf(await call(target, 'GET', path)));
      return 0;
    case 'get':
      if (!kid) throw new UsageError('keys get needs a kid');
      show(keysOf(await call(target, 'GET', `${path}/${encodeURIComponent(kid)}`)));
      return 0;
    case 'delete':
      await call(target, 'DELETE', kid ? `${path}/${encodeURIComponent(kid)}` : path);
      out(kid ? `deleted ${set}/${kid}` : `deleted ${set}`);
      return 0;
    case 'rotate': {
      const algs = args.alg ? [args.alg] : rotationAlgs(keysOf(await call(target, 'GET', path)));
      if (algs.length === 0) throw new UsageError(`${set} has no private signing key to rotate; use keys create --alg`);
      const created: Jwk[] = [];
      for (const alg of algs) created.push(...keysOf(await call(target, 'POST', path, { alg })));
      show(created);
      out(`published ${created.map((k) => `${k.alg} ${k.kid}`).join(', ')}; each signs once keys.pre_publication has passed`);
      return 0;
    }
    default:
      throw new UsageError('keys needs one of: create, list, get, delete, rotate');
  }
}
