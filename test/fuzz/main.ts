import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { postgresBackend, sqliteBackend } from '../helpers/databases.js';
import { startTessera } from '../helpers/tessera.js';
import { FUZZ_CONFIG, makeFixture } from './fixture.js';
import { rowCounter } from './rows.js';
import { fuzzOperation, reproduce, type Finding } from './runner.js';
import { STRAY_ROUTES, operationsOf } from './spec.js';

/*
 * The long fuzz run: `npm run fuzz -- --runs N [--seed S] [--backend sqlite|postgres] [--op KEY,…] [--path P]`.
 * Starts Tessera on a fresh database, fuzzes every operation of its served
 * OpenAPI document (and stray routes), prints what each answered and, for
 * each failure, the line that replays it. PostgreSQL needs TEST_PG_DSN.
 * Exit status 1 when anything failed.
 */

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '500' },
    seed: { type: 'string' },
    backend: { type: 'string', default: 'sqlite' },
    op: { type: 'string' },
    path: { type: 'string' },
  },
});

const seed = args.seed === undefined ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : Number(args.seed);
const runs = Number(args.runs);
const backend = args.backend === 'postgres' ? postgresBackend : sqliteBackend;
if (!Number.isInteger(seed) || !Number.isInteger(runs) || runs < 1 || !['sqlite', 'postgres'].includes(args.backend ?? '')) {
  console.error('usage: npm run fuzz -- --runs N [--seed S] [--backend sqlite|postgres] [--op KEY,…] [--path P]');
  process.exit(2);
}
if (backend.skipReason) {
  console.error(backend.skipReason);
  process.exit(2);
}

const logFile = join(tmpdir(), `tessera-fuzz-${backend.name}-${seed}.log`);
const db = await backend.create();
const t = await startTessera(db, FUZZ_CONFIG, pino({ level: 'warn' }, pino.destination({ dest: logFile, sync: true })));
const rows = await rowCounter(db.dsn);
const findings: Finding[] = [];
try {
  const doc: unknown = await (await fetch(`${t.adminUrl}/.well-known/openapi.json`)).json();
  const wanted = args.op?.split(',');
  const ops = [...operationsOf(doc), ...STRAY_ROUTES].filter((o) => !wanted || wanted.includes(o.key));
  console.log(`fuzzing ${ops.length} operations on ${backend.name}, ${runs} requests each, seed ${seed}; server log: ${logFile}`);
  const target = { urls: { public: t.publicUrl, admin: t.adminUrl }, rows, fixture: () => makeFixture(t) };
  for (const op of ops) {
    const started = Date.now();
    const { finding, statuses } = await fuzzOperation(op, target, { seed, runs, path: args.path });
    const seen = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
    console.log(`${finding ? 'FAIL' : 'ok  '} ${op.key} (${Date.now() - started} ms) ${seen}`);
    if (finding) findings.push(finding);
  }
} finally {
  await rows.close();
  await t.stop();
  await db.drop();
}
for (const f of findings) console.log(`\n${reproduce(f, backend.name)}`);
console.log(`\n${findings.length} failing operation(s); seed ${seed}`);
process.exit(findings.length > 0 ? 1 : 0);
