import type { RoundResult } from './load/spec.js';
import { median } from './lib/stats.js';
import { OPERATIONS, type OpName } from './ops/catalog.js';
import type { TargetKind } from './targets/target.js';

/** One (target, operation, connections) cell: its rounds, or why it has none. */
export interface Measurement {
  readonly target: string;
  readonly kind: TargetKind;
  readonly op: OpName;
  readonly connections: number;
  readonly rounds: readonly RoundResult[];
  readonly failed?: string;
}

export interface Summary {
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly non2xx: number;
  /** Server CPU as % of one core, and per completed request (or flow). */
  readonly cpuPct: number;
  readonly cpuUs: number;
  /** The database server's CPU per request (NaN when it is not measured: SQLite is inside the server), and the load generator's. */
  readonly dbCpuUs: number;
  readonly loadCpuUs: number;
}

/** Median CPU µs per completed request over the rounds that measured it (older results lack the newer fields). */
function perOp(rounds: readonly RoundResult[], seconds: (x: RoundResult) => number | undefined, measured = (x: RoundResult) => seconds(x) !== undefined): number {
  const values = rounds.filter((x) => x.count > 0 && measured(x)).map((x) => (1e6 * (seconds(x) ?? 0)) / x.count);
  return values.length ? median(values) : Number.NaN;
}

/** Medians over the rounds; errors and non-2xx are totals. */
export function summarize(m: Measurement): Summary {
  const r = m.rounds;
  const sum = (f: (x: RoundResult) => number) => r.reduce((a, x) => a + f(x), 0);
  return {
    rate: median(r.map((x) => x.count / x.seconds)),
    p50: median(r.map((x) => x.p50)),
    p99: median(r.map((x) => x.p99)),
    errors: sum((x) => x.errors),
    non2xx: sum((x) => x.non2xx),
    cpuPct: median(r.map((x) => (100 * x.cpuSeconds) / x.seconds)),
    cpuUs: perOp(r, (x) => x.cpuSeconds),
    dbCpuUs: perOp(r, (x) => x.dbCpuSeconds, (x) => x.dbCpuSeconds > 0),
    loadCpuUs: perOp(r, (x) => x.loadCpuSeconds),
  };
}

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toString() : '–');
const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : '–');
const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '–');

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
}

export function operationTable(ms_: readonly Measurement[], unit: string): string {
  return table(
    ['target', 'conns', `${unit} (median)`, 'p50 ms', 'p99 ms', 'errors / non-2xx', 'server CPU %', 'CPU µs / op', 'PostgreSQL CPU µs / op', 'load generator CPU µs / op'],
    ms_.map((m) => {
      if (m.failed) return [m.target, String(m.connections), `failed: ${m.failed.replace(/\|/g, '/').slice(0, 120)}`, '', '', '', '', '', '', ''];
      const s = summarize(m);
      return [m.target, String(m.connections), int(s.rate), ms(s.p50), ms(s.p99), `${s.errors} / ${s.non2xx}`, int(s.cpuPct), int(s.cpuUs), int(s.dbCpuUs), int(s.loadCpuUs)];
    }),
  );
}

function find(all: readonly Measurement[], kind: TargetKind, op: OpName, connections: number): Summary | undefined {
  const m = all.find((x) => x.kind === kind && x.op === op && x.connections === connections && !x.failed);
  return m ? summarize(m) : undefined;
}

function ratioTable(all: readonly Measurement[]): string {
  const rows: string[][] = [];
  for (const m of all) {
    if (m.kind !== 'tessera' || m.failed) continue;
    const s = summarize(m);
    const peer = find(all, 'oidc-provider', m.op, m.connections);
    const floor = find(all, 'koa', m.op, m.connections);
    rows.push([
      m.op,
      String(m.connections),
      m.target,
      int(s.rate),
      ratio(s.rate, peer?.rate ?? Number.NaN),
      ratio(s.rate, floor?.rate ?? Number.NaN),
      ratio(s.cpuUs, peer?.cpuUs ?? Number.NaN),
    ]);
  }
  return table(['operation', 'conns', 'Tessera target', 'rate', 'rate: Tessera / oidc-provider', 'rate: Tessera / bare koa', 'CPU per op: Tessera / oidc-provider'], rows);
}

/** Issue 7 §5's targets for the single-process SQLite Tessera at 10 connections, reported, not asserted. */
function targetsTable(all: readonly Measurement[]): string {
  const rows: string[][] = [];
  for (const op of ['client_credentials', 'client_credentials_chosen', 'introspection'] as const) {
    const t = all.find((x) => x.target === 'tessera sqlite' && x.op === op && x.connections === 10 && !x.failed);
    if (!t) continue;
    const s = summarize(t);
    const peer = find(all, 'oidc-provider', op, 10)?.rate ?? Number.NaN;
    const floor = find(all, 'koa', op, 10)?.rate ?? Number.NaN;
    const mark = (ok: boolean, text: string) => `${ok ? '✅' : '❌'} ${text}`;
    rows.push([
      op,
      mark(s.rate >= 2 * peer, ratio(s.rate, peer)),
      mark(s.rate >= 0.6 * floor, ratio(s.rate, floor)),
      mark(s.p99 < 10, `${ms(s.p99)} ms`),
      mark(s.errors + s.non2xx === 0, String(s.errors + s.non2xx)),
    ]);
  }
  return table(['operation (tessera sqlite, 10 conns)', '≥ 2× oidc-provider', '≥ 0.6× bare koa', 'p99 < 10 ms', 'zero errors'], rows);
}

export interface ReportInput {
  readonly header: readonly string[];
  readonly measurements: readonly Measurement[];
  readonly skipped: readonly string[];
  readonly extra: readonly string[];
}

export function renderReport(input: ReportInput): string {
  const parts = ['# Tessera benchmark', '', ...input.header, ''];
  if (input.skipped.length) parts.push('## Skipped', '', ...input.skipped.map((s) => `- ${s}`), '');
  for (const op of OPERATIONS) {
    const rows = input.measurements.filter((m) => m.op === op.name);
    if (rows.length) parts.push(`## ${op.name}: ${op.title}`, '', operationTable(rows, op.unit), '');
  }
  if (input.measurements.length) {
    parts.push('## Ratios (same run)', '', 'Rates: higher is better for Tessera. CPU per op: lower is better, and steadier than rates on a busy machine.', '');
    parts.push(ratioTable(input.measurements), '');
    parts.push('## Issue 7 targets', '', targetsTable(input.measurements), '');
  }
  return [...parts, ...input.extra].join('\n');
}
