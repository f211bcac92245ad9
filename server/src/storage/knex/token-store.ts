import type { Knex } from 'knex';
import type { ConsumeOptions, TokenStore } from '../ports.js';
import type { TokenRecord } from '../../tokens/token.js';
import { rowToToken, tokenToRow, type TokenRow } from './rows.js';

export function createTokenStore(db: Knex): TokenStore {
  const tokens = (k: Knex | Knex.Transaction = db) => k<TokenRow>('oauth2_tokens');

  return {
    async insert(records: readonly TokenRecord[]): Promise<void> {
      if (records.length > 0) await tokens().insert(records.map(tokenToRow));
    },

    async get(signature: string): Promise<TokenRecord | undefined> {
      const row = await tokens().where('signature', signature).first();
      return row ? rowToToken(row) : undefined;
    },

    async consume(signature: string, at: number, issued: readonly TokenRecord[], options: ConsumeOptions = {}): Promise<boolean> {
      return db.transaction(async (trx) => {
        // The conditional UPDATE is the decision: the row count says who won,
        // on any number of processes (DESIGN.md § Storage).
        const won = await tokens(trx).where({ signature, revoked: false }).whereNull('used_at').update({ used_at: at });
        if (won === 0) return false;
        if (options.revokeFamilyAccessTokens) {
          const familyId = issued[0]?.familyId;
          if (familyId !== undefined) {
            await tokens(trx).where({ family_id: familyId, kind: 'access_token', revoked: false }).update({ revoked: true });
          }
        }
        if (issued.length > 0) await tokens(trx).insert(issued.map(tokenToRow));
        return true;
      });
    },

    async revokeFamily(familyId: string): Promise<number> {
      return tokens().where({ family_id: familyId, revoked: false }).update({ revoked: true });
    },

    async revoke(signature: string): Promise<boolean> {
      return (await tokens().where('signature', signature).update({ revoked: true })) > 0;
    },

    async deleteAccessTokens(clientId: string): Promise<number> {
      return tokens().where({ client_id: clientId, kind: 'access_token' }).delete();
    },
  };
}
