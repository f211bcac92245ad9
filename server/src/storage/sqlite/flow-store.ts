import type { Knex } from 'knex';
import type BetterSqlite3 from 'better-sqlite3';
import type { Flow, FlowState } from '../../flows/flow.js';
import type { TokenRecord } from '../../tokens/token.js';
import type { ConsentRecord, FlowChange, FlowLookup, FlowStore, StoredChallenge, StoredFlow } from '../ports.js';
import { finishRows, flowColumns, rowToStoredFlow, transitionColumns, type FlowRow } from '../knex/rows.js';
import { flowSql, sqlitePlaceholder } from '../flow-sql.js';
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

const SQL = flowSql(sqlitePlaceholder);

/**
 * The flow store on the direct connection: every step of a flow is a
 * prepared statement, writes group-committed with the turn's other writes
 * (sqlite/direct.ts). The last step (flow done + code + consent record) is
 * one job instead of a knex transaction: a knex transaction keeps SQLite's
 * one connection across its awaits, and every other request waited behind
 * it (the code flow's p99).
 */
export function createSqliteFlowStore(direct: SqliteDirect, knex: Knex, store: FlowStore): FlowStore {
  return {
    ...store,
    create(flow: Flow, loginChallenge: StoredChallenge, browser: string): Promise<void> {
      const row: Partial<FlowRow> = { ...flowColumns(flow), login_challenge: loginChallenge.hash, login_challenge_sealed: loginChallenge.sealed, browser };
      const columns = Object.keys(row) as Array<keyof FlowRow>;
      return direct.write((db) => {
        db.prepare(SQL.insert(columns)).run(columns.map((c) => row[c]));
      });
    },

    find(by: FlowLookup, hash: string): Promise<StoredFlow | undefined> {
      return direct.read((db) => {
        const row = db.prepare(SQL.find(by)).get(hash) as FlowRow | undefined;
        return row ? rowToStoredFlow(row) : undefined;
      });
    },

    transition(from: readonly FlowState[], change: FlowChange): Promise<boolean> {
      const update = transitionColumns(change);
      const columns = Object.keys(update) as Array<keyof FlowRow>;
      const values = [...columns.map((c) => update[c]), change.flow.id, ...from];
      return direct.write((db) => db.prepare(SQL.transition(columns, from.length)).run(values).changes > 0);
    },

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
