import type { Flow, FlowState } from '../../flows/flow.js';
import type { TokenRecord } from '../../tokens/token.js';
import type { ConsentRecord, FlowChange, FlowLookup, FlowStore, StoredChallenge, StoredFlow } from '../ports.js';
import { finishRows, flowColumns, rowToStoredFlow, transitionColumns, type ConsentRow, type FlowRow } from '../knex/rows.js';
import { flowSql, sqlitePlaceholder } from '../flow-sql.js';
import type { SqliteDirect } from './direct.js';
import { insertRows } from './token-store.js';

const SQL = flowSql(sqlitePlaceholder);

const CONSENT_COLUMNS = ['id', 'subject', 'client_id', 'login_session_id', 'grant', 'remember', 'remember_until', 'handled_at', 'revoked', 'skip', 'origin_id'] as const satisfies ReadonlyArray<keyof ConsentRow>;
const FINISH = {
  done: "update oauth2_flows set state = 'done' where id = ? and state = 'consent_handled'",
  originLive: 'select 1 from oauth2_consents where id = ? and revoked = 0',
  // `grant` is a keyword of SQL (not of SQLite's dialect): quoted as knex does.
  consent: `insert into oauth2_consents (${CONSENT_COLUMNS.map((c) => `"${c}"`).join(', ')}) values (${CONSENT_COLUMNS.map(() => '?').join(', ')})`,
} as const;

/** Booleans bound as 0/1, as knex does. */
const bound = (value: unknown) => (typeof value === 'boolean' ? Number(value) : value);

/**
 * The flow store on the direct connection: every step of a flow is a
 * prepared statement, writes group-committed with the turn's other writes
 * (sqlite/direct.ts). The last step (flow done + code + consent record) is
 * one job instead of a knex transaction: a knex transaction keeps SQLite's
 * one connection across its awaits, and every other request waited behind
 * it (the code flow's p99).
 */
export function createSqliteFlowStore(direct: SqliteDirect, store: FlowStore): FlowStore {
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
        if (db.prepare(FINISH.done).run(id).changes === 0) return false;
        const originLive = consent.originId !== undefined && db.prepare(FINISH.originLive).get(consent.originId) !== undefined;
        const rows = finishRows(tokens, consent, originLive);
        insertRows(db, rows.tokens);
        db.prepare(FINISH.consent).run(CONSENT_COLUMNS.map((c) => bound(rows.consent[c])));
        return true;
      });
    },
  };
}
