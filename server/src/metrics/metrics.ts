import type { LeakChannel, LeakOutcome } from '../tokens/leaks/report.js';
/*
 * What the server counts, as one narrow interface the composition root passes
 * down (no module-level registry): each part of the server takes only the
 * methods it records (`Pick<Metrics, 'backchannel'>`). prometheus.ts is the
 * real implementation; `noopMetrics` records nothing (tests, one-shot CLI
 * commands).
 *
 * Labels are bounded by construction (issue 19): a route TEMPLATE (the
 * @koa/router layer path or a fast-lane path), a method from a fixed list, a
 * status class, a grant type from an allow-list: never a client id, a subject
 * or a raw path.
 */

export type FlowKind = 'login' | 'consent';
/** `skipped`: accepted for a remembered session (login) or a remembered / first-party consent (`skip: true`). */
export type FlowOutcome = 'accepted' | 'rejected' | 'skipped';
/** A back-channel logout delivery's end: 2xx, every attempt failed, or the destination was refused (outbound policy). */
export type BackchannelOutcome = 'delivered' | 'failed' | 'not_allowed';

/** Records one answered request; `seconds` from the first byte read to the answer written. */
export type RequestRecorder = (status: number, seconds: number) => void;

/** The knex (tarn) pool, as much of it as the gauges read. */
export interface PoolLike {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  on(event: 'acquireRequest', listener: (eventId: number) => void): void;
  on(event: 'acquireSuccess' | 'acquireFail', listener: (eventId: number) => void): void;
}

export interface Scrape {
  readonly contentType: string;
  readonly body: string;
}

export interface Metrics {
  /** A recorder bound to one route template and method (built once per route: the hot path pays no label lookup). */
  route(template: string, method: string): RequestRecorder;
  /** One request of any route (koa): `template` is the matched layer path, or `unmatched`. */
  request(template: string, method: string, status: number, seconds: number): void;
  /** After a successful token response: one count per token kind in `body` (access_token, refresh_token, id_token). */
  tokensIssued(grantType: string, body: unknown): void;
  introspected(active: boolean): void;
  flowOutcome(flow: FlowKind, outcome: FlowOutcome): void;
  backchannel(outcome: BackchannelOutcome): void;
  /** One reported leaked token (issue 18): its outcome and whether the admin API or a signed public report sent it. */
  leakReport(outcome: LeakOutcome, channel: LeakChannel): void;
  /** SQLite group commit: how many writes one transaction carried, and how long the first of them waited for COMMIT. */
  sqliteBatch(size: number, waitSeconds: number): void;
  /** Reads the pool's gauges at scrape time, and times each acquire. */
  watchPool(pool: PoolLike): void;
  /** The exposition (Prometheus text format 0.0.4); with --workers, every worker's, aggregated by the primary. */
  scrape(): Promise<Scrape>;
}

const nothing = () => undefined;

export const noopMetrics: Metrics = {
  route: () => nothing,
  request: nothing,
  tokensIssued: nothing,
  introspected: nothing,
  flowOutcome: nothing,
  backchannel: nothing,
  leakReport: nothing,
  sqliteBatch: nothing,
  watchPool: nothing,
  scrape: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: '' }),
};

/** Methods as labels: node's parser knows ~35, a label needs only these. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
export const methodLabel = (method: string): string => (METHODS.has(method) ? method : 'other');

const CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
export const statusClass = (status: number): string => CLASSES[Math.floor(status / 100) - 1] ?? 'other';

/**
 * Grant types as labels: the registered ones and those helpers are adding
 * (RFC 8628, RFC 7523, RFC 8693); anything else is `other`, so a grant added
 * later cannot widen the label set by accident.
 */
const GRANT_TYPES = new Set([
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:token-exchange',
]);
export const grantLabel = (grantType: string): string => (GRANT_TYPES.has(grantType) ? grantType : 'other');

/** The token kinds a token response may carry (RFC 6749 §5.1, OIDC Core §3.1.3.3). */
export const TOKEN_KINDS = ['access_token', 'refresh_token', 'id_token'] as const;
