import type { ConsumeOptions, TokenStore } from '../ports.js';
import type { TokenRecord } from '../../tokens/token.js';
import { rowToToken, tokenToRow, type TokenRow } from '../knex/rows.js';
import { batchedLookup, TurnBatch, type Outcome, type PgDirect, type Statement } from './direct.js';

/*
 * The token store on PostgreSQL: the same rows and the same decisions as the
 * knex store (storage/knex/token-store.ts), as named statements
 * (postgres/direct.ts). Inserts of one turn are one statement; a code
 * exchange or a refresh rotation is one statement too (below), where knex
 * needed BEGIN, two or three statements and COMMIT.
 */

export const COLUMNS = ['signature', 'kind', 'family_id', 'client_id', 'subject', 'scope', 'audience', 'session', 'issued_at', 'expires_at', 'used_at', 'revoked'] as const;
const TYPES = ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'bigint', 'bigint', 'bigint', 'boolean'] as const;

/** `unnest($o+1::text[], …)`: the rows to insert, one array per column. */
export const unnest = (offset: number) => `unnest(${TYPES.map((type, i) => `$${offset + i + 1}::${type}[]`).join(', ')})`;

const SQL = {
  insert: { name: 'tessera_tokens_insert', text: `insert into oauth2_tokens (${COLUMNS.join(', ')}) select * from ${unnest(0)}` },
  /*
   * One statement, so one atomic step: mark the token used (the conditional
   * UPDATE whose row count decides who won, on any number of processes),
   * revoke the family's earlier access tokens, and insert what the winner
   * issued. The CTEs share one snapshot: the revocation cannot reach the rows
   * the same statement inserts, and a loser (0 rows in `used`) inserts
   * nothing. $3 is the family to revoke in, or null for none.
   */
  consume: {
    name: 'tessera_tokens_consume',
    text: `with used as (
        update oauth2_tokens set used_at = $1 where signature = $2 and revoked = false and used_at is null returning signature
      ), retired as (
        update oauth2_tokens set revoked = true
        where family_id = $3 and kind = 'access_token' and revoked = false and exists (select 1 from used)
      ), issued as (
        insert into oauth2_tokens (${COLUMNS.join(', ')}) select * from ${unnest(3)} where exists (select 1 from used)
      )
      select count(*)::int as won from used`,
  },
  revokeFamily: { name: 'tessera_tokens_revoke_family', text: 'update oauth2_tokens set revoked = true where family_id = $1 and revoked = false' },
  revoke: { name: 'tessera_tokens_revoke', text: 'update oauth2_tokens set revoked = true where signature = $1' },
  deleteAccess: { name: 'tessera_tokens_delete_access', text: "delete from oauth2_tokens where client_id = $1 and kind = 'access_token'" },
} as const satisfies Record<string, Statement>;

/** The rows as one array per column, in COLUMNS order. */
export function columns(rows: readonly TokenRow[]): unknown[][] {
  return COLUMNS.map((column) => rows.map((row) => (column === 'revoked' ? Boolean(row.revoked) : row[column])));
}

const DONE: Outcome<void> = { ok: true, value: undefined };

/** PostgreSQL class 23: a constraint refused a row (integrity, not availability). */
const isIntegrity = (err: unknown) => /^23/.test(String((err as { code?: unknown } | null)?.code ?? ''));

export function createPgTokenStore(direct: PgDirect): TokenStore {
  const insertRows = (rows: readonly TokenRow[]) => direct.query(SQL.insert, columns(rows));

  const inserts = new TurnBatch<readonly TokenRow[], void>(async (batches) => {
    try {
      await insertRows(batches.flat());
      return batches.map(() => DONE);
    } catch (err) {
      // One caller's bad row must not fail the others: each again on its own, all or nothing per caller.
      if (!isIntegrity(err) || batches.length === 1) throw err;
      const settled = await Promise.allSettled(batches.map(insertRows));
      return settled.map((s): Outcome<void> => (s.status === 'fulfilled' ? DONE : { ok: false, error: s.reason }));
    }
  });
  const lookup = batchedLookup<TokenRow & Record<string, unknown>>(direct, { name: 'tessera_tokens_get', table: 'oauth2_tokens', key: 'signature' });

  return {
    insert(records: readonly TokenRecord[]): Promise<void> {
      return records.length === 0 ? Promise.resolve() : inserts.add(records.map(tokenToRow));
    },

    async get(signature: string): Promise<TokenRecord | undefined> {
      const row = await lookup(signature);
      return row ? rowToToken(row) : undefined;
    },

    async consume(signature: string, at: number, issued: readonly TokenRecord[], options: ConsumeOptions = {}): Promise<boolean> {
      const family = options.revokeFamilyAccessTokens ? (issued[0]?.familyId ?? null) : null;
      const { rows } = await direct.query<{ won: number }>(SQL.consume, [at, signature, family, ...columns(issued.map(tokenToRow))]);
      return (rows[0]?.won ?? 0) > 0;
    },

    async revokeFamily(familyId: string): Promise<number> {
      return (await direct.query(SQL.revokeFamily, [familyId])).rowCount ?? 0;
    },

    async revoke(signature: string): Promise<boolean> {
      return ((await direct.query(SQL.revoke, [signature])).rowCount ?? 0) > 0;
    },

    async deleteAccessTokens(clientId: string): Promise<number> {
      return (await direct.query(SQL.deleteAccess, [clientId])).rowCount ?? 0;
    },
  };
}
