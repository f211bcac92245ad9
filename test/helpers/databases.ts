import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The databases every storage-touching suite runs against: a fresh SQLite
 * file always, and PostgreSQL when TEST_PG_DSN is set, each run in a schema of
 * its own so parallel or aborted runs never see each other's rows.
 */
export interface Database {
  readonly dsn: string;
  drop(): Promise<void>;
}

export interface Backend {
  readonly name: 'sqlite' | 'postgres';
  /** Why this backend is skipped, or undefined when it runs. */
  readonly skipReason: string | undefined;
  create(): Promise<Database>;
}

const PG_DSN = process.env['TEST_PG_DSN'];

export const sqliteBackend: Backend = {
  name: 'sqlite',
  skipReason: undefined,
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
    return { dsn: `sqlite://${join(dir, 'tessera.sqlite')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  },
};

export const postgresBackend: Backend = {
  name: 'postgres',
  skipReason: PG_DSN ? undefined : 'TEST_PG_DSN is not set, so the PostgreSQL suites are skipped (CI sets it)',
  async create() {
    if (!PG_DSN) throw new Error('TEST_PG_DSN is not set');
    const schema = `tessera_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: PG_DSN });
    await admin.connect();
    try {
      await admin.query(`create schema ${schema}`);
    } finally {
      await admin.end();
    }
    const url = new URL(PG_DSN);
    url.searchParams.set('search_path', schema);
    return {
      dsn: url.toString(),
      async drop() {
        const c = new pg.Client({ connectionString: PG_DSN });
        await c.connect();
        try {
          await c.query(`drop schema if exists ${schema} cascade`);
        } finally {
          await c.end();
        }
      },
    };
  },
};

export const backends: readonly Backend[] = [sqliteBackend, postgresBackend];

const announced = new Set<string>();

/**
 * `describe` once per backend. A skipped backend says why, once per run, so a
 * green run on a laptop without PostgreSQL is not mistaken for a full one.
 */
export function describeEachBackend(title: string, body: (backend: Backend) => void): void {
  for (const backend of backends) {
    describe(`${title} [${backend.name}]`, function () {
      if (backend.skipReason) {
        before(function () {
          if (!announced.has(backend.name)) {
            announced.add(backend.name);
            console.warn(`\n  ⚠ skipping ${backend.name}: ${backend.skipReason}\n`);
          }
          this.skip();
        });
      }
      body(backend);
    });
  }
}

/**
 * For a suite that means something on PostgreSQL only: first thing in its
 * `before`. Without TEST_PG_DSN it prints why and skips, so the suite's tests
 * are listed as pending rather than missing.
 */
export function skipUnlessPostgres(context: Mocha.Context): void {
  if (!postgresBackend.skipReason) return;
  console.warn(`\n  ⚠ skipping: ${postgresBackend.skipReason}\n`);
  context.skip();
}
