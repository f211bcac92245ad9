import type { Knex } from 'knex';
import type { Flow, FlowState } from '../../flows/flow.js';
import type { TokenRecord } from '../../tokens/token.js';
import type { ConsentRecord, FlowChange, FlowLookup, FlowStore, StoredChallenge, StoredFlow } from '../ports.js';
import { finishRows, flowColumns, rowToStoredFlow, transitionColumns, type FlowRow } from './rows.js';

export function createFlowStore(db: Knex, dialect: 'sqlite' | 'postgres'): FlowStore {
  const flows = (k: Knex | Knex.Transaction = db) => k<FlowRow>('oauth2_flows');

  return {
    async create(flow: Flow, loginChallenge: StoredChallenge, browser: string): Promise<void> {
      await flows().insert({ ...flowColumns(flow), login_challenge: loginChallenge.hash, login_challenge_sealed: loginChallenge.sealed, browser });
    },

    async find(by: FlowLookup, hash: string): Promise<StoredFlow | undefined> {
      const row = await flows().where(by, hash).first();
      return row ? rowToStoredFlow(row) : undefined;
    },

    async transition(from: readonly FlowState[], change: FlowChange): Promise<boolean> {
      return (await flows().where('id', change.flow.id).whereIn('state', [...from]).update(transitionColumns(change))) > 0;
    },

    async finish(id: string, tokens: readonly TokenRecord[], consent: ConsentRecord): Promise<boolean> {
      return db.transaction(async (trx) => {
        const won = await flows(trx).where({ id, state: 'consent_handled' }).update({ state: 'done' });
        if (won === 0) return false;
        // FOR SHARE on PostgreSQL: a revocation of the re-used consent locks it FOR UPDATE before it looks for the
        // flows that re-used it, so it either waits for this row to commit and sees it, or commits first and this
        // read finds the consent revoked (found in review: under READ COMMITTED the two could miss each other).
        // SQLite runs one writer at a time.
        const originQuery = trx('oauth2_consents').where({ id: consent.originId ?? '', revoked: false });
        const origin = consent.originId === undefined ? undefined : await (dialect === 'postgres' ? originQuery.forShare() : originQuery).first('id');
        const rows = finishRows(tokens, consent, origin !== undefined);
        if (rows.tokens.length > 0) await trx('oauth2_tokens').insert(rows.tokens);
        await trx('oauth2_consents').insert(rows.consent);
        return true;
      });
    },
  };
}
