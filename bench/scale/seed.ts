import knex, { type Knex } from 'knex';
import type { BenchDatabase } from '../targets/database.js';

/*
 * Scale seeding: rows written straight into oauth2_tokens (the shape of
 * migrations/src/20261123010000_tokens.ts) by INSERT … SELECT statements of
 * CHUNK generated rows each, through knex, never through HTTP. The keys
 * look like real ones (tokens/hmac.ts): an issue time in hex (one
 * millisecond apart, before the run) and 43 random characters; no token maps
 * to them, which is fine: what is measured is the cost of finding (or
 * inserting) other rows among them.
 */

const CHUNK = 100_000;
const COLUMNS = 'signature, kind, family_id, client_id, subject, scope, audience, session, issued_at, expires_at, used_at, revoked';

export function openDirect(db: BenchDatabase): Knex {
  if ('sqliteFile' in db.direct) {
    return knex({
      client: 'better-sqlite3',
      connection: { filename: db.direct.sqliteFile },
      useNullAsDefault: true,
      pool: {
        min: 1,
        max: 1,
        // Same journal and sync settings as Tessera; a bigger page cache only speeds up the seeding.
        afterCreate: (conn: { pragma(s: string): unknown }, done: (err: Error | null, conn: unknown) => void) => {
          conn.pragma('journal_mode = WAL');
          conn.pragma('synchronous = NORMAL');
          conn.pragma('cache_size = -524288');
          done(null, conn);
        },
      },
    });
  }
  return knex({ client: 'pg', connection: db.direct.pgDsn, searchPath: [db.direct.schema], pool: { min: 0, max: 2 } });
}

function chunkSql(db: BenchDatabase): string {
  if ('sqliteFile' in db.direct) {
    return `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
      INSERT INTO oauth2_tokens (${COLUMNS})
      SELECT printf('%012x', ? - n) || substr(lower(hex(randomblob(22))), 1, 43), 'access_token', lower(hex(randomblob(16))), 'bench-seed', 'seed', '', '[]', '{}', ?, ?, NULL, 0 FROM seq`;
  }
  return `INSERT INTO oauth2_tokens (${COLUMNS})
    SELECT lpad(to_hex(?::bigint - n), 12, '0') || substr(md5(random()::text) || md5(random()::text), 1, 43), 'access_token', md5(random()::text), 'bench-seed', 'seed', '', '[]', '{}', ?, ?, NULL, false
    FROM generate_series(1, ?) AS n`;
}

export interface SeedResult {
  readonly rows: number;
  readonly seconds: number;
  /** Stopped at the deadline before `count` rows. */
  readonly truncated: boolean;
}

/** Inserts `count` rows expiring at `expiresAt` (ms), chunk by chunk, stopping at the deadline. */
export async function seedTokens(db: BenchDatabase, count: number, expiresAt: number, deadlineMs: number, log: (l: string) => void): Promise<SeedResult> {
  const k = openDirect(db);
  const started = Date.now();
  const issuedAt = Math.min(Date.now(), expiresAt - 3_600_000);
  const sql = chunkSql(db);
  let rows = 0;
  try {
    while (rows < count && Date.now() < started + deadlineMs) {
      const n = Math.min(CHUNK, count - rows);
      // Each chunk's keys go back in time from where the previous chunk's ended.
      const keyTime = issuedAt - rows;
      await k.raw(sql, 'sqliteFile' in db.direct ? [n, keyTime, issuedAt, expiresAt] : [keyTime, issuedAt, expiresAt, n]);
      rows += n;
      if (rows % 1_000_000 === 0) log(`    seeded ${rows / 1_000_000}M rows (${Math.round((Date.now() - started) / 1000)} s)`);
    }
    if ('pgDsn' in db.direct) await k.raw('analyze oauth2_tokens');
  } finally {
    await k.destroy();
  }
  return { rows, seconds: (Date.now() - started) / 1000, truncated: rows < count };
}

/** Rows still expired (the janitor's work left). */
export async function countExpired(db: BenchDatabase, now: number): Promise<number> {
  const k = openDirect(db);
  try {
    const row = (await k('oauth2_tokens').where('expires_at', '<', now).count({ n: '*' }).first()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  } finally {
    await k.destroy();
  }
}
