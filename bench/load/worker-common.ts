import { readFileSync } from 'node:fs';
import { cpuSeconds } from '../lib/proc-cpu.js';
import { exitWithParent } from '../servers/guard.js';
import type { LoadSpec, RoundResult, Timing } from './spec.js';

/** A load process: reads its spec, never outlives the harness or its time budget. */
export function loadSpec<K extends LoadSpec['kind']>(kind: K): Extract<LoadSpec, { kind: K }> {
  exitWithParent();
  const file = process.argv[2];
  if (!file) throw new Error('usage: worker SPEC.json');
  // Written by load/driver.ts in this same run.
  const spec = JSON.parse(readFileSync(file, 'utf8')) as LoadSpec;
  if (spec.kind !== kind) throw new Error(`expected a ${kind} spec, got ${spec.kind}`);
  const budgetMs = (spec.warmupSeconds + spec.rounds * (spec.seconds + 15) + 30) * 1000;
  setTimeout(() => {
    process.stderr.write(`load process over its ${budgetMs} ms budget: exiting\n`);
    process.exit(3);
  }, budgetMs).unref();
  return spec as Extract<LoadSpec, { kind: K }>;
}

export type Round = (seconds: number) => Promise<Omit<RoundResult, 'cpuSeconds' | 'dbCpuSeconds' | 'loadCpuSeconds'>>;

const ownCpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** Warm-up, then the measured rounds, each with the servers' CPU read around it; prints the results. */
export async function runRounds(timing: Timing, round: Round): Promise<void> {
  if (timing.warmupSeconds > 0) await round(timing.warmupSeconds);
  const results: RoundResult[] = [];
  for (let i = 0; i < timing.rounds; i++) {
    const before = { server: cpuSeconds(timing.cpuPids), db: cpuSeconds(timing.dbPids), load: ownCpuSeconds() };
    const result = await round(timing.seconds);
    results.push({
      ...result,
      cpuSeconds: cpuSeconds(timing.cpuPids) - before.server,
      dbCpuSeconds: cpuSeconds(timing.dbPids) - before.db,
      loadCpuSeconds: ownCpuSeconds() - before.load,
    });
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
}
