import { setTimeout as sleep } from 'node:timers/promises';
import type { Options } from '../lib/options.js';
import { runLoad } from '../load/driver.js';
import { OPERATIONS } from '../ops/catalog.js';
import { operationTable, type Measurement } from '../report.js';
import { postgresDatabase, sqliteDatabase, type BenchDatabase } from '../targets/database.js';
import type { BenchClient, RunningTarget } from '../targets/target.js';
import { createClient, serveTessera, spawnTessera, systemSecret, tesseraCli } from '../targets/tessera.js';
import { countExpired, seedTokens } from './seed.js';

/*
 * Issue 7 §4: introspection and client_credentials with 1M (and, with
 * --scale=10m, 10M) live tokens already in the table, against the same
 * database empty; then `tessera janitor --tokens` deleting 1M expired tokens
 * while the server is under load. Every stage has a time limit.
 */

type Log = (line: string) => void;
/** 10 minutes, or 4 per million rows beyond 2.5M (10M: 36 min). */
const seedLimitMs = (rows: number) => Math.max(10, (4 * rows) / 1e6) * 60_000;
const JANITOR_LIMIT_MS = 10 * 60_000;
const EXPIRED = 1_000_000;
const SCALE_OPS = OPERATIONS.filter((op) => op.name === 'client_credentials' || op.name === 'introspection');
const millions = (n: number) => `${(n / 1_000_000).toLocaleString('en')}M`;

async function measure(t: RunningTarget, o: Options, out: Measurement[], janitor = false): Promise<void> {
  const timing = janitor
    ? { connections: 10, warmupSeconds: 0, seconds: 2 * o.seconds, rounds: 1, cpuPids: t.pids, dbPids: t.dbPids ?? [] }
    : { connections: 10, warmupSeconds: o.warmupSeconds, seconds: o.seconds, rounds: o.rounds, cpuPids: t.pids, dbPids: t.dbPids ?? [] };
  for (const op of SCALE_OPS) {
    const spec = await op.prepare(t, timing, { introspection: o.introspectionPool });
    out.push({ target: t.name, kind: 'tessera', op: op.name, connections: 10, rounds: (await runLoad(spec)).rounds });
  }
}

/** The janitor beside a loaded server: its rate, and what is left if it hit the time limit. */
async function janitorBesideLoad(db: BenchDatabase, t: RunningTarget, o: Options, out: Measurement[]): Promise<string> {
  const janitor = spawnTessera(['janitor', '--tokens', '--dsn', db.dsn]);
  const started = Date.now();
  await measure(t, o, out, true);
  const loadEnded = (Date.now() - started) / 1000;
  const finished = await Promise.race([janitor.exited.then(() => true), sleep(JANITOR_LIMIT_MS, false, { ref: false })]);
  if (!finished) await janitor.stop();
  const report = /tokens: removed (\d+) in ([\d.]+) s/.exec(janitor.stdout());
  if (!finished || !report) {
    const left = await countExpired(db, Date.now());
    return `janitor did not finish within ${JANITOR_LIMIT_MS / 60_000} min: ${left} expired rows left. ${janitor.stderr().slice(-300)}`;
  }
  const [rows, seconds] = [Number(report[1]), Number(report[2])];
  return `\`tessera janitor --tokens\` removed ${rows} expired tokens in ${seconds.toFixed(1)} s (**${Math.round(rows / seconds)} rows/s**) while serving; the load below ran during its first ${loadEnded.toFixed(0)} s${seconds < loadEnded ? ' (so partly after it had finished)' : ''}.`;
}

async function scaleOne(db: BenchDatabase, o: Options, log: Log): Promise<string[]> {
  const out: Measurement[] = [];
  const notes: string[] = [];
  const secret = systemSecret();
  let client: BenchClient | undefined;
  const serving = async (label: string, body: (t: RunningTarget) => Promise<void>) => {
    log(`  scale ${db.dialect}: ${label}`);
    const served = await serveTessera({ name: `tessera ${db.dialect}`, db, secret });
    if ('skipped' in served) throw new Error(served.skipped);
    try {
      client ??= await createClient(served.adminUrl ?? '');
      await body({ ...served, name: `${served.name}, ${label}`, client });
    } finally {
      await served.stop();
    }
  };
  try {
    await tesseraCli(['migrate', 'up', '--dsn', db.dsn]);
    await serving('empty table', (t) => measure(t, o, out));
    let seeded = 0;
    for (const size of o.scale) {
      const r = await seedTokens(db, size - seeded, Date.now() + 7 * 86_400_000, seedLimitMs(size - seeded), log);
      seeded += r.rows;
      notes.push(`Seeded ${r.rows} live tokens in ${r.seconds.toFixed(0)} s${r.truncated ? ` — **stopped at the time limit**, ${millions(size)} wanted` : ''}.`);
      await serving(`${millions(seeded)} tokens`, (t) => measure(t, o, out));
    }
    const wanted = Math.min(EXPIRED, o.scale[0] ?? EXPIRED);
    const expired = await seedTokens(db, wanted, Date.now() - 3_600_000, seedLimitMs(wanted), log);
    notes.push(`Seeded ${expired.rows} expired tokens in ${expired.seconds.toFixed(0)} s for the janitor.`);
    await serving(`${millions(seeded)} tokens, janitor running`, async (t) => void notes.push(await janitorBesideLoad(db, t, o, out)));
  } finally {
    await db.drop();
  }
  const tables = SCALE_OPS.flatMap((op) => [`#### ${op.name}`, '', operationTable(out.filter((m) => m.op === op.name), 'req/s'), '']);
  return [`### Scale on ${db.dialect}`, '', ...notes.map((n) => `- ${n}`), '', ...tables];
}

export async function runScale(o: Options, log: Log): Promise<string[]> {
  const sections = [
    '## Scale: pre-seeded tokens and the janitor (10 connections)',
    '',
    'Rows are bulk-inserted into `oauth2_tokens` (not through HTTP). Flat means the seeded rows cost nothing per request.',
    '',
  ];
  const databases: Array<[string, () => Promise<BenchDatabase>]> = [['tessera sqlite', async () => sqliteDatabase()]];
  const pg = process.env['TEST_PG_DSN'];
  if (pg) databases.push(['tessera postgres', () => postgresDatabase(pg)]);
  // --targets picks the databases as it picks targets (by substring): --targets=postgres scales PostgreSQL only.
  const chosen = databases.filter(([name]) => o.targets.length === 0 || o.targets.some((s) => name.includes(s)));
  for (const [, make] of chosen) {
    try {
      sections.push(...(await scaleOne(await make(), o, log)));
    } catch (err) {
      sections.push(`Scale run failed: ${err instanceof Error ? err.message : String(err)}`, '');
    }
  }
  return sections;
}
