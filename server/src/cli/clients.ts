import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';
import { rotateSecret } from './clients-rotate-secret.js';

export interface ClientsArgs {
  readonly positionals: readonly string[];
  readonly endpoint: string | undefined;
  /** `--token-file`: a file holding the admin token (a flag would show the token in `ps`). */
  readonly tokenFile?: string | undefined;
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
}

type Out = (line: string) => void;

/** A failure the admin API reported; the CLI prints it and exits 1. */
export class AdminApiError extends Error {
  constructor(status: number, body: string) {
    let detail = body;
    try {
      const parsed = JSON.parse(body) as { error?: string; error_description?: string };
      detail = [parsed.error, parsed.error_description].filter(Boolean).join(': ');
    } catch {
      // Not our JSON; show the text.
    }
    super(`admin API answered ${status}: ${detail}`);
    this.name = 'AdminApiError';
  }
}

export interface Target {
  readonly endpoint: string;
  /** Sent as `Authorization: Bearer` when the admin API asks for one (serve.admin.auth.tokens). */
  readonly token: string | undefined;
}

/** `--token-file`, else $TESSERA_ADMIN_TOKEN, else none. */
export function adminToken(tokenFile: string | undefined): string | undefined {
  if (tokenFile === undefined) return process.env['TESSERA_ADMIN_TOKEN'] || undefined;
  try {
    return readFileSync(tokenFile, 'utf8').trim();
  } catch (err) {
    throw new UsageError(`--token-file ${tokenFile}: ${(err as NodeJS.ErrnoException).code ?? 'cannot read'}`);
  }
}

export async function call({ endpoint, token }: Target, method: string, path: string, body?: unknown): Promise<unknown> {
  const url = new URL(path, endpoint.endsWith('/') ? endpoint : `${endpoint}/`);
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  if (token) headers['authorization'] = `Bearer ${token}`;
  const res = await fetch(url, {
    method,
    headers,
    body: body === undefined ? null : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (!res.ok) throw new AdminApiError(res.status, text);
  return text === '' ? undefined : JSON.parse(text);
}

function list(value: string | boolean | string[] | undefined): string[] | undefined {
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : undefined;
}

function str(value: string | boolean | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function createBody(v: ClientsArgs['values']): Record<string, unknown> {
  const body: Record<string, unknown> = {
    client_id: str(v['id']),
    client_name: str(v['name']),
    client_secret: str(v['secret']),
    redirect_uris: list(v['redirect-uri']),
    grant_types: list(v['grant-type']),
    response_types: list(v['response-type']),
    scope: str(v['scope']),
    audience: list(v['audience']),
    token_endpoint_auth_method: str(v['token-endpoint-auth-method']),
    post_logout_redirect_uris: list(v['post-logout-redirect-uri']),
    owner: str(v['owner']),
    skip_consent: v['skip-consent'] === true ? true : undefined,
  };
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
}

export async function clients(args: ClientsArgs, out: Out): Promise<number> {
  const [action, id] = args.positionals;
  const endpoint = args.endpoint ?? process.env['TESSERA_ADMIN_URL'] ?? 'http://127.0.0.1:4445';
  if (!URL.canParse(endpoint)) throw new UsageError(`--endpoint "${endpoint}" is not a URL`);
  const target: Target = { endpoint, token: adminToken(args.tokenFile) };
  const show = (value: unknown) => out(JSON.stringify(value, null, 2));
  const needId = () => {
    if (!id) throw new UsageError(`clients ${action} needs a client id`);
    return encodeURIComponent(id);
  };
  switch (action) {
    case 'create':
      show(await call(target, 'POST', 'admin/clients', createBody(args.values)));
      return 0;
    case 'list': {
      const query = new URLSearchParams();
      for (const [flag, param] of [['page-size', 'page_size'], ['page-token', 'page_token'], ['name', 'client_name'], ['owner', 'owner']] as const) {
        const value = str(args.values[flag]);
        if (value !== undefined) query.set(param, value);
      }
      show(await call(target, 'GET', `admin/clients?${query.toString()}`));
      return 0;
    }
    case 'get':
      show(await call(target, 'GET', `admin/clients/${needId()}`));
      return 0;
    case 'delete':
      await call(target, 'DELETE', `admin/clients/${needId()}`);
      out(`deleted ${id}`);
      return 0;
    case 'rotate-secret':
      return rotateSecret((method, path, body) => call(target, method, path, body), id, args.values, show);
    default:
      throw new UsageError('clients needs one of: create, list, get, delete, rotate-secret');
  }
}
