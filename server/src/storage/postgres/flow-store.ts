import type { Flow, FlowState } from '../../flows/flow.js';
import type { TokenRecord } from '../../tokens/token.js';
import type { ConsentRecord, FlowChange, FlowLookup, FlowStore, StoredChallenge, StoredFlow } from '../ports.js';
import { consentToRow, flowColumns, rowToStoredFlow, tokenToRow, transitionColumns, type FlowRow } from '../knex/rows.js';
import { columns, COLUMNS as TOKEN_COLUMNS, unnest } from './token-store.js';
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

/*
 * A flow's last step as one statement (one round trip, no BEGIN … COMMIT):
 * the conditional UPDATE decides who won (a replayed consent_verifier finds
 * the flow done), and only the winner inserts the consent and the tokens.
 * $2 is the remembered consent this flow re-used, or null. `origin` reads it
 * FOR SHARE: a revocation locks it FOR UPDATE before it looks for the flows
 * that re-used it, so either this statement waits for the revocation and
 * then finds the consent revoked (EvalPlanQual re-checks `revoked` on the
 * committed row), or the revocation waits for this statement and then sees
 * the new rows (found in review: under READ COMMITTED, a plain read and the
 * revocation could miss each other). A re-use of a revoked consent is
 * stored revoked, tokens included.
 */
const DEAD_ORIGIN = '($2::text is not null and not exists (select 1 from origin))';
const FINISH: Statement = {
  name: 'tessera_flows_finish',
  text: `with done as (
      update oauth2_flows set state = 'done' where id = $1 and state = 'consent_handled' returning id
    ), origin as (
      select id from oauth2_consents where id = $2 and revoked = false and exists (select 1 from done) for share
    ), consent as (
      insert into oauth2_consents (id, subject, client_id, login_session_id, "grant", remember, remember_until, handled_at, skip, origin_id, revoked)
      select $3, $4, $5, $6, $7, $8::boolean, $9::bigint, $10::bigint, $11, $2, ${DEAD_ORIGIN} from done
    ), issued as (
      insert into oauth2_tokens (${TOKEN_COLUMNS.join(', ')})
      select ${TOKEN_COLUMNS.map((c) => (c === 'revoked' ? `t.revoked or ${DEAD_ORIGIN}` : `t.${c}`)).join(', ')}
      from ${unnest(11)} as t(${TOKEN_COLUMNS.join(', ')}) where exists (select 1 from done)
    )
    select count(*)::int as won from done`,
};

/** The knex flow store with every step of a flow as a named statement (postgres/direct.ts). */
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

    async finish(id: string, tokens: readonly TokenRecord[], consent: ConsentRecord): Promise<boolean> {
      const row = consentToRow(consent);
      const values = [id, row.origin_id, row.id, row.subject, row.client_id, row.login_session_id, row.grant, row.remember, row.remember_until, row.handled_at, row.skip];
      const { rows } = await direct.query<{ won: number }>(FINISH, [...values, ...columns(tokens.map(tokenToRow))]);
      return (rows[0]?.won ?? 0) > 0;
    },
  };
}
