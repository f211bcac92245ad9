import type BetterSqlite3 from 'better-sqlite3';
import type { ConsumeOptions, TokenStore } from '../ports.js';
import type { TokenRecord } from '../../tokens/token.js';
import { rowToToken, tokenToRow, type TokenRow } from '../knex/rows.js';
import type { SqliteDirect } from './direct.js';

/*
 * The token store on SQLite: the same rows and the same decisions as the knex
 * store (storage/knex/token-store.ts), as prepared statements on the direct
 * connection, writes group-committed. Booleans are bound as 0/1, as knex does.
 */

const COLUMNS = ['signature', 'kind', 'family_id', 'client_id', 'subject', 'scope', 'audience', 'session', 'issued_at', 'expires_at', 'used_at', 'revoked'] as const;

const SQL = {
  insert: `insert into oauth2_tokens (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`,
  get: 'select * from oauth2_tokens where signature = ?',
  use: 'update oauth2_tokens set used_at = ? where signature = ? and revoked = 0 and used_at is null',
  revokeFamilyAccess: "update oauth2_tokens set revoked = 1 where family_id = ? and kind = 'access_token' and revoked = 0",
  revokeFamily: 'update oauth2_tokens set revoked = 1 where family_id = ? and revoked = 0',
  revoke: 'update oauth2_tokens set revoked = 1 where signature = ?',
  deleteAccess: "delete from oauth2_tokens where client_id = ? and kind = 'access_token'",
} as const;

type Database = BetterSqlite3.Database;

/** Inserts token rows on the direct connection (inside a write job). */
export function insertRows(db: Database, rows: readonly TokenRow[]): void {
  const statement = db.prepare(SQL.insert);
  for (const row of rows) statement.run(COLUMNS.map((column) => (column === 'revoked' ? Number(row.revoked) : row[column])));
}

function insertTokens(db: Database, records: readonly TokenRecord[]): void {
  insertRows(db, records.map(tokenToRow));
}

export function createSqliteTokenStore(direct: SqliteDirect): TokenStore {
  return {
    insert(records: readonly TokenRecord[]): Promise<void> {
      if (records.length === 0) return Promise.resolve();
      return direct.write((db) => insertTokens(db, records));
    },

    get(signature: string): Promise<TokenRecord | undefined> {
      return direct.read((db) => {
        const row = db.prepare(SQL.get).get(signature) as TokenRow | undefined;
        return row ? rowToToken(row) : undefined;
      });
    },

    consume(signature: string, at: number, issued: readonly TokenRecord[], options: ConsumeOptions = {}): Promise<boolean> {
      return direct.write((db) => {
        // The conditional UPDATE decides, as in the knex store; the job's savepoint makes the rest all-or-nothing.
        if (db.prepare(SQL.use).run(at, signature).changes === 0) return false;
        const familyId = issued[0]?.familyId;
        if (options.revokeFamilyAccessTokens && familyId !== undefined) db.prepare(SQL.revokeFamilyAccess).run(familyId);
        insertTokens(db, issued);
        return true;
      });
    },

    revokeFamily(familyId: string): Promise<number> {
      return direct.write((db) => db.prepare(SQL.revokeFamily).run(familyId).changes);
    },

    revoke(signature: string): Promise<boolean> {
      return direct.write((db) => db.prepare(SQL.revoke).run(signature).changes > 0);
    },

    deleteAccessTokens(clientId: string): Promise<number> {
      return direct.write((db) => db.prepare(SQL.deleteAccess).run(clientId).changes);
    },
  };
}
