import type { Flow, FlowState } from '../../flows/flow.js';
import type { FlowChange, FlowLookup, FlowStore, StoredChallenge, StoredFlow } from '../ports.js';
import { flowColumns, rowToStoredFlow, transitionColumns, type FlowRow } from '../knex/rows.js';
import { flowSql, postgresPlaceholder, statementName } from '../flow-sql.js';
import type { PgDirect, Row, Statement } from './direct.js';

const SQL = flowSql(postgresPlaceholder);
/** Each text's statement, named once (a name is a SHA-1 of the text: not worth computing per request). */
const statements = new Map<string, Statement>();
function named(text: string): Statement {
  let statement = statements.get(text);
  if (statement === undefined) statements.set(text, (statement = { name: statementName(text), text }));
  return statement;
}

/**
 * The knex flow store with a flow's steps (create, find, transition) as
 * named statements (postgres/direct.ts); the last step stays a knex
 * transaction (its FOR SHARE read decides between two writes).
 */
export function createPgFlowStore(direct: PgDirect, store: FlowStore): FlowStore {
  return {
    ...store,
    async create(flow: Flow, loginChallenge: StoredChallenge, browser: string): Promise<void> {
      const row: Partial<FlowRow> = { ...flowColumns(flow), login_challenge: loginChallenge.hash, login_challenge_sealed: loginChallenge.sealed, browser };
      const columns = Object.keys(row) as Array<keyof FlowRow>;
      await direct.query(named(SQL.insert(columns)), columns.map((c) => row[c]));
    },

    async find(by: FlowLookup, hash: string): Promise<StoredFlow | undefined> {
      const { rows } = await direct.query<FlowRow & Row>(named(SQL.find(by)), [hash]);
      return rows[0] ? rowToStoredFlow(rows[0]) : undefined;
    },

    async transition(from: readonly FlowState[], change: FlowChange): Promise<boolean> {
      const update = transitionColumns(change);
      const columns = Object.keys(update) as Array<keyof FlowRow>;
      const { rowCount } = await direct.query(named(SQL.transition(columns, from.length)), [...columns.map((c) => update[c]), change.flow.id, ...from]);
      return (rowCount ?? 0) > 0;
    },
  };
}
