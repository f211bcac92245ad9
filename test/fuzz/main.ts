import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { postgresBackend, sqliteBackend } from '../helpers/databases.js';
import { startTessera } from '../helpers/tessera.js';
import { FUZZ_CONFIG, makeFixture } from './fixture.js';
import { rowCounter } from './rows.js';
import { fuzzOperation, reproduce, type Finding } from './runner.js';
import { STRAY_ROUTES, operationsOf, type OpSpec } from './spec.js';
import { APP_ROUTES, appFixture } from './login-app.js';
import { startStack } from '../login-consent-app/support.js';

/*
 * The long fuzz run: `npm run fuzz -- --runs N [--seed S] [--backend sqlite|postgres] [--op KEY,…] [--path P] [--app]`.
 * `--app` fuzzes the login-consent app's form routes instead (Tessera on SQLite beside it).
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
    app: { type: 'boolean', default: false },
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

if (args.app) process.exit(await fuzzApp());

const logFile = join(tmpdir(), `tessera-fuzz-${backend.name}-${seed}.log`);
const db = await backend.create();
const t = await startTessera(db, FUZZ_CONFIG, { logger: pino({ level: 'warn' }, pino.destination({ dest: logFile, sync: true })) });
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

/** The login-consent app's routes, with Tessera on SQLite beside it (test/login-consent-app/support.ts). */
async function fuzzApp(): Promise<number> {
  const stack = await startStack();
  const counter = await rowCounter(stack.tessera.config.dsn);
  const found: Finding[] = [];
  try {
    const urls = { public: stack.tessera.publicUrl, admin: stack.tessera.adminUrl, app: stack.appUrl };
    const target = { urls, rows: counter, fixture: (op: OpSpec) => appFixture(stack.tessera, stack.appUrl, stack.alice.id, op) };
    console.log(`fuzzing the login-consent app, ${runs} requests per route, seed ${seed}`);
    for (const op of APP_ROUTES.filter((o) => !args.op || args.op.split(',').includes(o.key))) {
      const { finding, statuses } = await fuzzOperation(op, target, { seed, runs, path: args.path });
      console.log(`${finding ? 'FAIL' : 'ok  '} ${op.key} ${[...statuses].map(([s, n]) => `${s}×${n}`).join(' ')}`);
      if (finding) found.push(finding);
    }
  } finally {
    await counter.close();
    await stack.stop();
  }
  for (const f of found) console.log(`\n${reproduce(f, 'sqlite')} --app`);
  console.log(`\n${found.length} failing route(s); seed ${seed}`);
  return found.length > 0 ? 1 : 0;
}
