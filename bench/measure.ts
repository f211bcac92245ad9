import { runLoad } from './load/driver.js';
import type { LoadSpec, RoundResult } from './load/spec.js';
import type { Options } from './lib/options.js';
import { OPERATIONS, type Operation } from './ops/catalog.js';
import { summarize, type Measurement } from './report.js';
import type { RunningTarget } from './targets/target.js';

/*
 * Every target is up at once (idle ones cost nothing) and the rounds are
 * interleaved: for each operation and connection count, round 1 on every
 * target, then round 2 on every target, … Each round runs in a fresh load
 * process. On a shared machine, whatever else runs then weighs on every
 * target alike, so the ratios of one run stay meaningful.
 */

type Log = (line: string) => void;

interface Cell {
  readonly target: RunningTarget;
  readonly spec: LoadSpec | undefined;
  readonly rounds: RoundResult[];
  failed: string | undefined;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Round r's share of a spec: the warm-up only before the first; a chain's single-use tokens split between rounds. */
function roundSpec(spec: LoadSpec, r: number, o: Options): LoadSpec {
  const base = { ...spec, rounds: 1, warmupSeconds: r === 0 ? o.warmupSeconds : 0 };
  if (base.kind !== 'http' || base.tokens?.mode !== 'chain') return base;
  const per = Math.floor(base.tokens.values.length / o.rounds);
  return { ...base, tokens: { ...base.tokens, values: base.tokens.values.slice(r * per, (r + 1) * per) } };
}

async function prepare(op: Operation, t: RunningTarget, connections: number, o: Options): Promise<Cell> {
  const timing = { connections, warmupSeconds: o.warmupSeconds, seconds: o.seconds, rounds: o.rounds, cpuPids: t.pids, dbPids: t.dbPids ?? [] };
  try {
    return { target: t, spec: await op.prepare(t, timing, { introspection: o.introspectionPool }), rounds: [], failed: undefined };
  } catch (err) {
    return { target: t, spec: undefined, rounds: [], failed: `preparing: ${message(err)}` };
  }
}

async function runRound(cell: Cell, r: number, o: Options, log: Log): Promise<void> {
  if (!cell.spec || cell.failed) return;
  try {
    const { rounds, stderr } = await runLoad(roundSpec(cell.spec, r, o));
    cell.rounds.push(...rounds);
    if (stderr) log(`    ${cell.target.name}: ${stderr.split('\n')[0]}`);
  } catch (err) {
    cell.failed = message(err);
  }
}

export async function measureAll(targets: readonly RunningTarget[], o: Options, log: Log): Promise<Measurement[]> {
  const out: Measurement[] = [];
  if (targets.length === 0) return out;
  for (const op of OPERATIONS) {
    if (o.ops.length && !o.ops.includes(op.name)) continue;
    for (const connections of o.connections) {
      log(`${op.name}, ${connections} connections`);
      const cells: Cell[] = [];
      for (const t of targets) if (!op.skip?.includes(t.kind)) cells.push(await prepare(op, t, connections, o));
      for (let r = 0; r < o.rounds; r++) for (const cell of cells) await runRound(cell, r, o, log);
      for (const cell of cells) {
        const m: Measurement = { target: cell.target.name, kind: cell.target.kind, op: op.name, connections, rounds: cell.rounds, ...(cell.failed ? { failed: cell.failed } : {}) };
        const s = summarize(m);
        log(`  ${cell.target.name.padEnd(28)} ${cell.failed ? `FAILED ${cell.failed}` : `${Math.round(s.rate)} ${op.unit}, p99 ${s.p99.toFixed(2)} ms, errors ${s.errors}/${s.non2xx}`}`);
        out.push(m);
      }
    }
  }
  return out;
}
