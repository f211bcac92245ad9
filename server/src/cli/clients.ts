import { UsageError } from './errors.js';
import { adminToken, callApi, endpointFor, type Target } from './api.js';
import { CLIENT_COLUMNS, keyValues, parseFormat, show, table, type Format, type Row } from './format.js';
import { clientFields, type Values } from './client-body.js';
import { importClients } from './clients-import.js';
import { rotateSecret } from './clients-rotate-secret.js';

export { AdminApiError } from './api.js';

/*
 * `tessera clients create|get|list|update|delete|import` (Hydra's
 * `hydra create|get|list|update|delete|import oauth2-client`) and
 * `rotate-secret` (an extension), through the admin API. Every flag is checked before the first request.
 */

export interface ClientsArgs {
  readonly positionals: readonly string[];
  readonly endpoint: string | undefined;
  /** `--token-file`: a file holding the admin token (a flag would show the token in `ps`). */
  readonly tokenFile?: string | undefined;
  readonly values: Values;
}

type Out = (line: string) => void;

interface Context {
  readonly target: Target;
  readonly format: Format;
  readonly out: Out;
}

const showClient = (ctx: Context, client: unknown) => show(ctx.format, client, () => keyValues(client as Row, CLIENT_COLUMNS, ctx.out), ctx.out);

function ids(action: string, positionals: readonly string[]): string[] {
  if (positionals.length === 0) throw new UsageError(`clients ${action} needs a client id`);
  return [...positionals];
}

/** `--page-size`: Hydra's bounds (1 to 500). */
function pageSize(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || n < 1 || n > 500) throw new UsageError('--page-size takes a whole number from 1 to 500');
  return String(n);
}

async function list(ctx: Context, v: Values): Promise<void> {
  const query = new URLSearchParams();
  const size = pageSize(v['page-size']);
  if (size) query.set('page_size', size);
  for (const [flag, param] of [['page-token', 'page_token'], ['name', 'client_name'], ['owner', 'owner']] as const) {
    const value = v[flag];
    if (typeof value === 'string') query.set(param, value);
  }
  const clients = (await callApi(ctx.target, { method: 'GET', path: `admin/clients?${query.toString()}` })) as Row[];
  show(ctx.format, clients, () => table(clients, CLIENT_COLUMNS.filter(([, f]) => f !== 'client_secret'), ctx.out), ctx.out);
}

/**
 * Changes only the fields the flags name (a JSON Patch, RFC 6902), where
 * Hydra's `update oauth2-client` replaces the whole client and resets every
 * field not given: a rename must not drop redirect URIs.
 */
async function update(ctx: Context, id: string, v: Values): Promise<void> {
  const fields = clientFields(v);
  delete fields['client_id'];
  if (Object.keys(fields).length === 0) throw new UsageError('clients update needs at least one field flag (see tessera clients update --help)');
  const patch = Object.entries(fields).map(([field, value]) => ({ op: 'add', path: `/${field}`, value }));
  showClient(ctx, await callApi(ctx.target, { method: 'PATCH', path: `admin/clients/${encodeURIComponent(id)}`, json: patch }));
}

export async function clients(args: ClientsArgs, out: Out): Promise<number> {
  const [action, ...rest] = args.positionals;
  const v = args.values;
  const format = parseFormat(v['format']);
  const target = (): Context => ({ target: { api: 'admin', endpoint: endpointFor('admin', args.endpoint), authorization: bearer(args.tokenFile) }, format, out });
  switch (action) {
    case 'create': {
      const body = clientFields(v);
      const ctx = target();
      showClient(ctx, await callApi(ctx.target, { method: 'POST', path: 'admin/clients', json: body }));
      return 0;
    }
    case 'list':
      await list(target(), v);
      return 0;
    case 'get': {
      const wanted = ids('get', rest);
      const ctx = target();
      const found: unknown[] = [];
      for (const id of wanted) found.push(await callApi(ctx.target, { method: 'GET', path: `admin/clients/${encodeURIComponent(id)}` }));
      if (found.length === 1) showClient(ctx, found[0]);
      else show(format, found, () => table(found as Row[], CLIENT_COLUMNS.filter(([, f]) => f !== 'client_secret'), out), out);
      return 0;
    }
    case 'update': {
      const [id, ...extra] = ids('update', rest);
      if (extra.length > 0) throw new UsageError('clients update takes one client id');
      const ctx = target();
      await update(ctx, id ?? '', v);
      return 0;
    }
    case 'delete': {
      const wanted = ids('delete', rest);
      const ctx = target();
      for (const id of wanted) {
        await callApi(ctx.target, { method: 'DELETE', path: `admin/clients/${encodeURIComponent(id)}` });
        out(`deleted ${id}`);
      }
      return 0;
    }
    case 'import':
      return importClients(rest, () => target().target, format, out);
    case 'rotate-secret': {
      const ctx = target();
      return rotateSecret((method, path, body) => callApi(ctx.target, { method, path, json: body }), rest[0], v, (value) => showClient(ctx, value));
    }
    default:
      throw new UsageError('clients needs one of: create, get, list, update, delete, import, rotate-secret');
  }
}

function bearer(tokenFile: string | undefined): string | undefined {
  const token = adminToken(tokenFile);
  return token ? `Bearer ${token}` : undefined;
}
