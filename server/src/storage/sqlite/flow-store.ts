import type { Knex } from 'knex';
import type BetterSqlite3 from 'better-sqlite3';
import type { TokenRecord } from '../../tokens/token.js';
import type { ConsentRecord, FlowStore } from '../ports.js';
import { finishRows } from '../knex/rows.js';
import type { SqliteDirect } from './direct.js';
import { insertRows } from './token-store.js';

/** A knex query, compiled by knex, on the direct connection (booleans bound as 0/1, as knex does). */
function prepared(db: BetterSqlite3.Database, query: Knex.QueryBuilder) {
  const { sql, bindings } = query.toSQL().toNative();
  return { statement: db.prepare(sql), bindings: bindings.map((b) => (typeof b === 'boolean' ? Number(b) : b)) };
}

function run(db: BetterSqlite3.Database, query: Knex.QueryBuilder): BetterSqlite3.RunResult {
  const { statement, bindings } = prepared(db, query);
  return statement.run(bindings);
}

function exists(db: BetterSqlite3.Database, query: Knex.QueryBuilder): boolean {
  const { statement, bindings } = prepared(db, query);
  return statement.get(bindings) !== undefined;
}

/**
 * The knex flow store, with the last step of a flow (flow done + code +
 * consent record) as one group-committed job instead of a knex transaction:
 * a knex transaction keeps SQLite's one connection across its awaits, and
 * every other request waited behind it (the code flow's p99).
 */
export function createSqliteFlowStore(direct: SqliteDirect, knex: Knex, store: FlowStore): FlowStore {
  return {
    ...store,
    finish(id: string, tokens: readonly TokenRecord[], consent: ConsentRecord): Promise<boolean> {
      return direct.write((db) => {
        if (run(db, knex('oauth2_flows').where({ id, state: 'consent_handled' }).update({ state: 'done' })).changes === 0) return false;
        const originLive = consent.originId !== undefined && exists(db, knex('oauth2_consents').where({ id: consent.originId, revoked: false }).first('id'));
        const rows = finishRows(tokens, consent, originLive);
        insertRows(db, rows.tokens);
        run(db, knex('oauth2_consents').insert(rows.consent));
        return true;
      });
    },
  };
}
