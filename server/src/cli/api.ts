import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';

/*
 * How the CLI talks to a running Tessera: the admin API (clients, introspect)
 * or the public API (revoke, perform …). Every failure is one line: the API's
 * own error (`admin API answered 409: conflict: …`) or, when nothing
 * answered, the URL and the cause (`cannot reach http://127.0.0.1:4445/…:
 * ECONNREFUSED 127.0.0.1:4445`), never a stack.
 */

export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:4445';
export const DEFAULT_PUBLIC_URL = 'http://127.0.0.1:4444';

export type Api = 'admin' | 'public';

/** A failure the API reported; the CLI prints it and exits 1. */
export class AdminApiError extends Error {
  constructor(status: number, body: string, api: Api = 'admin') {
    let detail = body;
    try {
      const parsed = JSON.parse(body) as { error?: string; error_description?: string };
      detail = [parsed.error, parsed.error_description].filter(Boolean).join(': ');
    } catch {
      // Not our JSON; show the text.
    }
    super(`${api} API answered ${status}: ${detail}`);
    this.name = 'AdminApiError';
  }
}

/** Nothing answered at `url`: the message names it and the cause (`ECONNREFUSED 127.0.0.1:4445`, a timeout). */
export class ConnectionError extends Error {
  constructor(url: string, cause: string) {
    super(`cannot reach ${url}: ${cause}`);
    this.name = 'ConnectionError';
  }
}

export interface Target {
  readonly api: Api;
  readonly endpoint: string;
  /** Sent as `Authorization` (admin: `Bearer <token>` when serve.admin.auth.tokens asks for one; public: client credentials). */
  readonly authorization?: string | undefined;
}

/** `--endpoint`, else $TESSERA_ADMIN_URL / $TESSERA_PUBLIC_URL, else the default port on loopback; refused before any request when not an http(s) URL. */
export function endpointFor(api: Api, flag: string | undefined): string {
  const fromEnv = process.env[api === 'admin' ? 'TESSERA_ADMIN_URL' : 'TESSERA_PUBLIC_URL'] || undefined;
  const endpoint = flag ?? fromEnv ?? (api === 'admin' ? DEFAULT_ADMIN_URL : DEFAULT_PUBLIC_URL);
  if (!URL.canParse(endpoint) || !/^https?:$/.test(new URL(endpoint).protocol)) throw new UsageError(`--endpoint "${endpoint}" is not an http(s) URL`);
  return endpoint;
}

/** `--token-file`, else $TESSERA_ADMIN_TOKEN, else none (a flag would show the token in `ps`). */
export function adminToken(tokenFile: string | undefined): string | undefined {
  if (tokenFile === undefined) return process.env['TESSERA_ADMIN_TOKEN'] || undefined;
  try {
    return readFileSync(tokenFile, 'utf8').trim();
  } catch (err) {
    throw new UsageError(`--token-file ${tokenFile}: ${(err as NodeJS.ErrnoException).code ?? 'cannot read'}`);
  }
}

interface NetCause {
  code?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
  errors?: unknown;
  cause?: unknown;
  name?: unknown;
  message?: unknown;
}

/** `ECONNREFUSED 127.0.0.1:4445`, `ENOTFOUND nowhere.example`, `timed out after 15 s`: what fetch's cause says. */
export function describeCause(err: unknown): string {
  const e = err as NetCause;
  if (e?.name === 'TimeoutError') return 'timed out after 15 s';
  let cause = (e?.cause ?? e) as NetCause;
  // Node reports a refused `localhost` (::1 and 127.0.0.1) as an AggregateError; the first attempt names a host.
  if (Array.isArray(cause.errors) && cause.errors[0]) cause = { ...(cause.errors[0] as NetCause), code: cause.code ?? (cause.errors[0] as NetCause).code };
  const code = typeof cause.code === 'string' ? cause.code : undefined;
  const where =
    typeof cause.address === 'string'
      ? `${cause.address.includes(':') ? `[${cause.address}]` : cause.address}${typeof cause.port === 'number' ? `:${cause.port}` : ''}`
      : typeof cause.hostname === 'string'
        ? cause.hostname
        : undefined;
  if (code) return where ? `${code} ${where}` : code;
  return typeof cause.message === 'string' ? cause.message : String(err);
}

export interface Call {
  readonly method: string;
  readonly path: string;
  /** A JSON body, or a form (application/x-www-form-urlencoded). */
  readonly json?: unknown;
  readonly form?: Record<string, string | readonly string[]>;
}

/** One request; the parsed JSON answer (undefined when empty), or AdminApiError / ConnectionError. */
export async function callApi(target: Target, call: Call): Promise<unknown> {
  const url = new URL(call.path.replace(/^\//, ''), target.endpoint.endsWith('/') ? target.endpoint : `${target.endpoint}/`);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (target.authorization) headers['authorization'] = target.authorization;
  let body: string | null = null;
  if (call.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(call.json);
  } else if (call.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(call.form)) for (const v of typeof value === 'string' ? [value] : value) params.append(name, v);
    body = params.toString();
  }
  let res: Response;
  try {
    res = await fetch(url, { method: call.method, headers, body, signal: AbortSignal.timeout(15_000) });
  } catch (err) {
    throw new ConnectionError(`${url.origin}${url.pathname}`, describeCause(err));
  }
  const text = await res.text();
  if (!res.ok) throw new AdminApiError(res.status, text, target.api);
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

/** RFC 6749 §2.3.1: each part form-urlencoded, then Basic. */
export function basicAuthorization(id: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}
