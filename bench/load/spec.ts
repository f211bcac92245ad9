/*
 * What the harness hands a load process (as a JSON file) and what it gets
 * back (one JSON line on stdout). Plain data only: it crosses a process
 * boundary.
 */

export interface Timing {
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly rounds: number;
  /** Server processes whose CPU is measured around each round. */
  readonly cpuPids: readonly number[];
  /** The database server's processes (local PostgreSQL), measured the same way; empty when there are none. */
  readonly dbPids: readonly number[];
}

/**
 * One HTTP request repeated by autocannon. When `tokens` is set, each body is
 * `bodyPrefix + token`: `cycle` walks the pool (introspection: each request a
 * different token), `chain` takes a token per request and puts back the
 * `refresh_token` of each 2xx answer (refresh: single-use tokens).
 */
export interface HttpLoad extends Timing {
  readonly kind: 'http';
  readonly url: string;
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** A 2xx body without this text counts as an error (e.g. an introspection answering inactive). */
  readonly expect?: string;
  /** The answer is a redirect (the authorization endpoint): a 3xx counts as the success, anything else as non-2xx. */
  readonly redirects?: boolean;
  readonly tokens?: { readonly mode: 'cycle' | 'chain'; readonly bodyPrefix: string; readonly values: readonly string[] };
  /** A fresh DPoP proof (RFC 9449, ES256, new `jti` and `iat`) in a `DPoP` header of every request, signed by the load process. */
  readonly dpop?: { readonly htm: string; readonly htu: string };
}

export type FlowFlavor = 'tessera' | 'oidc-provider';

export interface FlowParams {
  readonly flavor: FlowFlavor;
  readonly publicUrl: string;
  /** Tessera's admin API, where the login and consent "apps" accept. */
  readonly adminUrl: string | undefined;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  readonly scope: string;
}

/** Complete authorization-code flows, each in a fresh cookie jar, `connections` at a time. */
export interface FlowLoad extends Timing {
  readonly kind: 'flow';
  readonly flow: FlowParams;
}

export type LoadSpec = HttpLoad | FlowLoad;

export interface RoundResult {
  /** Completed requests (or flows) in the round. */
  readonly count: number;
  readonly seconds: number;
  /** Of successful requests, in milliseconds. */
  readonly p50: number;
  readonly p99: number;
  /** Connection errors, timeouts and unexpected 2xx bodies (flows: failed flows). */
  readonly errors: number;
  readonly non2xx: number;
  readonly cpuSeconds: number;
  /** The database server's CPU in the round (0 without `dbPids`). */
  readonly dbCpuSeconds: number;
  /** The load process's own CPU in the round. */
  readonly loadCpuSeconds: number;
}
