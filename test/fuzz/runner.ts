import fc from 'fast-check';
import type { Values } from './encode.js';
import { problems } from './properties.js';
import { NoAnswer, send, type RawAnswer, type RawRequest } from './raw-http.js';
import { requestFor, toRaw } from './requests.js';
import type { RowCounter } from './rows.js';
import type { OpSpec } from './spec.js';

/*
 * Runs the property over one operation: fresh fixture values, then `runs`
 * generated requests, each checked with the database's row counts around it,
 * and /health/ready on both ports afterwards. A failure names the seed and
 * fast-check path that replay it (`npm run fuzz -- --op … --seed … --path …`).
 */

export interface Target {
  /** Tessera's ports, and the login-consent app's address when it is fuzzed too. */
  readonly urls: Readonly<Record<'public' | 'admin', string>> & { readonly app?: string };
  readonly rows: RowCounter;
  fixture(op: OpSpec): Promise<Values>;
}

export interface RunOptions {
  readonly seed: number;
  readonly runs: number;
  /** Replay one case: fast-check's counterexample path. */
  readonly path?: string | undefined;
}

export interface Finding {
  readonly op: string;
  readonly seed: number;
  readonly path: string;
  readonly report: string;
}

export interface OpResult {
  readonly finding: Finding | undefined;
  /** How often each status was answered: how far the generated requests got. */
  readonly statuses: ReadonlyMap<number, number>;
}

class CaseFailure extends Error {}

/** The seed of one operation, from the run's seed and the operation's name, so each can be replayed alone. */
export function opSeed(seed: number, key: string): number {
  let h = 0x811c9dc5;
  for (const ch of key) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return (h ^ seed) | 0;
}

const preview = (b: Buffer | undefined, n = 600): string => (b === undefined ? '(none)' : `${JSON.stringify(b.subarray(0, n).toString('latin1'))}${b.length > n ? ` …(${b.length} bytes)` : ''}`);

export function describe(req: RawRequest, answer?: RawAnswer): string {
  const lines = [
    `${req.method} ${preview(req.target, 300)}${req.chunked ? ' (chunked)' : ''}`,
    ...req.headers.map(([name, value]) => `  ${name}: ${preview(value, 200)}`),
    `  body: ${preview(req.body)}`,
  ];
  if (answer) lines.push(`→ ${answer.status} ${answer.headers['content-type'] ?? ''} ${answer.body.slice(0, 500)}`);
  return lines.join('\n');
}

async function ready(urls: Target['urls']): Promise<string[]> {
  const down: string[] = [];
  const checks = [`${urls.public}/health/ready`, `${urls.admin}/health/ready`, ...(urls.app ? [`${urls.app}/health`] : [])];
  for (const url of checks) {
    const res = await fetch(url).catch((e: Error) => ({ status: 0, statusText: e.message }));
    if (res.status !== 200) down.push(`${url} answered ${res.status}`);
  }
  return down;
}

export async function fuzzOperation(op: OpSpec, target: Target, options: RunOptions): Promise<OpResult> {
  const values = await target.fixture(op);
  const base = target.urls[op.port];
  if (!base) throw new Error(`no server for ${op.key}`);
  const statuses = new Map<number, number>();
  const seed = opSeed(options.seed, op.key);
  // Requests run one at a time and nothing else writes, so the count after one case is the count before the next: one query per case.
  let counts = await target.rows.count();
  const property = fc.asyncProperty(requestFor(op), async (generated) => {
    const request = toRaw(op, generated, values);
    const before = counts;
    let answer: RawAnswer;
    try {
      answer = await send(base, request);
    } catch (err) {
      counts = await target.rows.count();
      if (err instanceof NoAnswer) throw new CaseFailure(`no answer (${err.message})\n${describe(request)}`);
      throw err;
    }
    const after = (counts = await target.rows.count());
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    // The login-consent app answers its errors as HTML pages, not Tessera's JSON.
    const found = problems({ request, answer, before, after }, op.port !== 'app');
    if (found.length > 0) throw new CaseFailure(`${found.join('; ')}\n${describe(request, answer)}`);
  });
  const details = await fc.check(property, { seed, numRuns: options.runs, path: options.path, endOnFailure: options.path !== undefined });
  if (details.failed) {
    const reason = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    return { statuses, finding: { op: op.key, seed: options.seed, path: details.counterexamplePath ?? '', report: reason } };
  }
  const down = await ready(target.urls);
  const finding = down.length > 0 ? { op: op.key, seed: options.seed, path: '', report: `after fuzzing ${op.key}: ${down.join('; ')}` } : undefined;
  return { statuses, finding };
}

export function reproduce(f: Finding, backend: string): string {
  const path = f.path ? ` --path ${f.path}` : '';
  return `${f.op}: ${f.report}\n  reproduce: npm run fuzz -- --backend ${backend} --op ${f.op} --seed ${f.seed}${path}`;
}
