import type { z } from 'zod';
import { ErrorResponse } from './contract/errors.js';
import { OAuth2RedirectTo } from './contract/flows.js';
import { TesseraError } from './errors.js';

/*
 * The HTTP exchange under TesseraAdmin: one fetch per call, a deadline, and
 * every failure turned into a TesseraError. Only web-standard APIs (fetch,
 * Headers, URL, AbortSignal) so the client runs on Node, Deno, Bun, workers
 * and browsers alike.
 */

/** The part of `fetch` the SDK uses; the global `fetch` and most wrappers fit it. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface TesseraAdminOptions {
  /**
   * Where the admin API is, e.g. `http://127.0.0.1:4445`. A path is kept
   * (`https://gateway.example/tessera` calls `https://gateway.example/tessera/admin/…`).
   */
  readonly baseUrl: string | URL;
  /** Sent as `Authorization: Bearer <token>`: Tessera's admin token (`serve.admin.auth.tokens`) or a gateway's. */
  readonly token?: string | undefined;
  /** Defaults to the global `fetch`. */
  readonly fetch?: FetchLike | undefined;
  /** Deadline for each call, headers and body included. Default 10000; 0 means none. */
  readonly timeoutMs?: number | undefined;
  /** Sent with every call (e.g. `X-Request-Id`, which the server adopts when it is short and plain). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Call {
  readonly method: Method;
  /** Path below the base URL, segments already encoded. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly json?: unknown;
  readonly form?: Readonly<Record<string, string | undefined>>;
  /** Statuses outside 2xx that are answers rather than failures (503 from `/health/ready`). */
  readonly answers?: readonly number[];
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  readonly body: unknown;
  readonly requestId: string | undefined;
}

export type Send = (call: Call) => Promise<Reply>;

const DEFAULT_TIMEOUT_MS = 10_000;

export function createTransport(options: TesseraAdminOptions): Send {
  const base = new URL(String(options.baseUrl)).href.replace(/\/+$/, '');
  const fetchFn: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return async (call) => {
    const signal = timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined;
    const init: RequestInit = { method: call.method, headers: headersFor(call, options), ...bodyOf(call) };
    if (signal) init.signal = signal;
    const { res, text } = await exchange(fetchFn, urlFor(base, call), init, signal, timeoutMs);
    const requestId = res.headers.get('x-request-id') ?? undefined;
    if (!res.ok && !call.answers?.includes(res.status)) throw failure(res.status, text, requestId);
    return { status: res.status, headers: res.headers, body: successBody(res.status, text, requestId), requestId };
  };
}

function urlFor(base: string, call: Call): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(call.query ?? {})) if (value !== undefined) params.set(name, String(value));
  const query = params.toString();
  return `${base}${call.path}${query ? `?${query}` : ''}`;
}

function headersFor(call: Call, options: TesseraAdminOptions): Headers {
  const headers = new Headers({ accept: 'application/json', ...options.headers });
  if (options.token !== undefined) headers.set('authorization', `Bearer ${options.token}`);
  if (call.json !== undefined) headers.set('content-type', 'application/json');
  if (call.form !== undefined) headers.set('content-type', 'application/x-www-form-urlencoded');
  return headers;
}

function bodyOf(call: Call): { body?: string } {
  if (call.json !== undefined) return { body: JSON.stringify(call.json) };
  if (call.form === undefined) return {};
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(call.form)) if (value !== undefined) form.set(name, value);
  return { body: form.toString() };
}

/** Headers and the whole body under one deadline: a server that stalls mid-body times out too. */
async function exchange(fetchFn: FetchLike, url: string, init: RequestInit, signal: AbortSignal | undefined, timeoutMs: number) {
  try {
    const res = await fetchFn(url, init);
    return { res, text: await res.text() };
  } catch (err) {
    if (err instanceof TesseraError) throw err;
    const timedOut = signal?.aborted === true || (err instanceof Error && err.name === 'TimeoutError');
    throw new TesseraError({
      status: 0,
      error: timedOut ? 'timeout' : 'network_error',
      error_description: timedOut ? `No answer from ${url} within ${timeoutMs} ms.` : `${url}: ${describe(err)}`,
      cause: err,
    });
  }
}

/** Node's fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND…) is in its cause. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? `${err.message} (${code})` : err.message;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function successBody(status: number, text: string, requestId: string | undefined): unknown {
  const parsed = parseJson(text);
  if (parsed.ok) return parsed.value;
  throw new TesseraError({ status, error: 'invalid_response', error_description: `The answer is not JSON: ${snippet(text)}`, requestId });
}

const snippet = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…` : text);

/**
 * A non-2xx answer. 410 carries `{redirect_to}` and no error code (Hydra
 * v2.0): the challenge was used or has expired, and the flow restarts there.
 */
function failure(status: number, text: string, requestId: string | undefined): TesseraError {
  const parsed = parseJson(text);
  const body = parsed.ok ? parsed.value : undefined;
  const gone = status === 410 ? OAuth2RedirectTo.safeParse(body) : undefined;
  if (gone?.success) {
    return new TesseraError({
      status,
      error: 'gone',
      error_description: 'The request was already handled or has expired; send the browser to redirectTo to start again.',
      requestId,
      redirectTo: gone.data.redirect_to,
    });
  }
  const error = ErrorResponse.safeParse(body);
  if (error.success) return new TesseraError({ status, ...error.data, requestId });
  return new TesseraError({ status, error: 'invalid_response', error_description: `HTTP ${status} without an error object: ${snippet(text)}`, requestId });
}

/** Validates an answer against its contract schema; a mismatch is `invalid_response`. */
export function parseReply<S extends z.ZodType>(schema: S, reply: Reply, what: string): z.output<S> {
  const result = schema.safeParse(reply.body);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new TesseraError({
    status: reply.status,
    error: 'invalid_response',
    error_description: `The ${what} does not match the contract: ${issues.join('; ')}`,
    requestId: reply.requestId,
    cause: result.error,
  });
}
