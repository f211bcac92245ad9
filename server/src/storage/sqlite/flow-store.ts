import type { Knex } from 'knex';
import type BetterSqlite3 from 'better-sqlite3';
import type { TokenRecord } from '../../tokens/token.js';
import type { ConsentRecord, FlowStore } from '../ports.js';
import { consentToRow } from '../knex/rows.js';
import type { SqliteDirect } from './direct.js';
import { insertTokens } from './token-store.js';

/** A knex query, compiled by knex, run synchronously on the direct connection (bindings as knex formats them). */
function run(db: BetterSqlite3.Database, query: Knex.QueryBuilder): BetterSqlite3.RunResult {
  const { sql, bindings } = query.toSQL().toNative();
  return db.prepare(sql).run(bindings.map((b) => (typeof b === 'boolean' ? Number(b) : b)));
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
        insertTokens(db, tokens);
        run(db, knex('oauth2_consents').insert(consentToRow(consent)));
        return true;
      });
    },
  };
}
