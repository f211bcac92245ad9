import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { registerCleanup } from '../lib/children.js';
import { postgresPids } from '../lib/proc-cpu.js';

/** A fresh database for one target, removed afterwards. */
export interface BenchDatabase {
  readonly dialect: 'sqlite' | 'postgres';
  /** Tessera's DSN for it. */
  readonly dsn: string;
  /** How a driver reaches it directly (scale seeding). */
  readonly direct: { readonly sqliteFile: string } | { readonly pgDsn: string; readonly schema: string };
  /** The database server's processes when it runs on this machine (PostgreSQL), whose CPU the bench reads too. */
  readonly pids: readonly number[];
  drop(): Promise<void>;
}

/** Drop once, whether the run ends normally or is interrupted (lib/children.ts runs it then). */
function droppedOnce(drop: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  const once = () => (done ??= drop());
  const unregister = registerCleanup(once);
  return () => {
    unregister();
    return once();
  };
}

export function sqliteDatabase(): BenchDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  const file = join(dir, 'tessera.sqlite');
  const drop = droppedOnce(async () => rmSync(dir, { recursive: true, force: true }));
  return { dialect: 'sqlite', dsn: `sqlite://${file}`, direct: { sqliteFile: file }, pids: [], drop };
}

/** A schema of its own in TEST_PG_DSN's database (Tessera's `search_path` DSN parameter), dropped afterwards. */
export async function postgresDatabase(baseDsn: string): Promise<BenchDatabase> {
  const schema = `tessera_bench_${randomBytes(6).toString('hex')}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: baseDsn });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`create schema ${schema}`);
  const url = new URL(baseDsn);
  url.searchParams.set('search_path', schema);
  const local = ['127.0.0.1', 'localhost', '[::1]', ''].includes(url.hostname);
  const drop = droppedOnce(() => run(`drop schema if exists ${schema} cascade`));
  return { dialect: 'postgres', dsn: url.toString(), direct: { pgDsn: baseDsn, schema }, pids: local ? postgresPids() : [], drop };
}
