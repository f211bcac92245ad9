import type { Knex } from 'knex';
import type { PushedRequest, PushedRequestStore } from '../ports.js';

interface PushedRow {
  id: string;
  client_id: string;
  params: string;
  expires_at: number | string;
  used_at: number | string | null;
}

export function createPushedRequestStore(db: Knex): PushedRequestStore {
  const table = (k: Knex | Knex.Transaction = db) => k<PushedRow>('oauth2_pushed_requests');
  return {
    async create(request: PushedRequest): Promise<void> {
      await table().insert({ id: request.id, client_id: request.clientId, params: JSON.stringify(request.params), expires_at: request.expiresAt, used_at: null });
    },

    async take(id: string, clientId: string, now: number): Promise<PushedRequest | undefined> {
      // The conditional UPDATE decides who takes it; the row is read after, in the same transaction.
      return db.transaction(async (trx) => {
        const won = await table(trx).where({ id, client_id: clientId }).whereNull('used_at').where('expires_at', '>', now).update({ used_at: now });
        if (won === 0) return undefined;
        const row = await table(trx).where({ id }).first();
        if (!row) return undefined;
        return { id: row.id, clientId: row.client_id, params: JSON.parse(row.params) as Record<string, string>, expiresAt: Number(row.expires_at) };
      });
    },
  };
}
