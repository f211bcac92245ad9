import { parseArgs } from 'node:util';

export interface Options {
  readonly quick: boolean;
  /** Seeded-token counts for the scale run; empty without --scale. */
  readonly scale: readonly number[];
  readonly connections: readonly number[];
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly rounds: number;
  readonly introspectionPool: number;
  /** Substrings of target names to run; empty: all. */
  readonly targets: readonly string[];
  readonly ops: readonly string[];
  readonly out: string;
  /** Run Tessera under node --cpu-prof and summarize the profiles in the report. */
  readonly cpuProf: boolean;
}

export const USAGE = `npm run bench -- [--quick] [--scale[=1m|10m]] [--targets=koa,oidc,...] [--ops=introspection,...]
                    [--connections=1,10,50] [--seconds=N] [--warmup=N] [--rounds=N] [--out=FILE] [--cpu-prof]`;

const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} takes a positive number`);
  return n;
}

/** --scale: 1M tokens; --scale=10m: 1M then 10M; any other count (e.g. 200k) alone, for trials. */
function scaleSizes(value: string | undefined): number[] {
  if (value === undefined) return [];
  if (value === '10m') return [1_000_000, 10_000_000];
  const m = /^(\d+)([km]?)$/i.exec(value || '1m');
  if (!m) throw new Error('--scale takes 1m, 10m or a count such as 200k');
  const unit = m[2]?.toLowerCase();
  return [Number(m[1]) * (unit === 'm' ? 1e6 : unit === 'k' ? 1e3 : 1)];
}

export function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    // `--scale` alone means 1m; parseArgs wants a value for a string option.
    args: argv.map((a) => (a === '--scale' ? '--scale=1m' : a)),
    strict: true,
    options: {
      quick: { type: 'boolean' },
      scale: { type: 'string' },
      targets: { type: 'string' },
      ops: { type: 'string' },
      connections: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      out: { type: 'string' },
      'cpu-prof': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) throw new Error(USAGE);
  const quick = values.quick === true;
  const connections = list(values.connections).map((c) => positive('connections', c, 1));
  return {
    quick,
    scale: scaleSizes(values.scale),
    connections: connections.length ? connections : quick ? [10] : [1, 10, 50],
    warmupSeconds: positive('warmup', values.warmup, quick ? 0.5 : 2),
    seconds: positive('seconds', values.seconds, quick ? 2 : 5),
    rounds: positive('rounds', values.rounds, quick ? 1 : 3),
    introspectionPool: quick ? 2000 : 20_000,
    targets: list(values.targets),
    ops: list(values.ops),
    out: values.out ?? 'bench/results/latest.md',
    cpuProf: values['cpu-prof'] === true,
  };
}
