import type { Knex } from 'knex';
import type { Client } from '../../clients/client.js';
import type { ClientPage, ClientQuery, ClientStore, SealedSecret } from '../ports.js';
import { clientToRow, rowToClient, type ClientRow } from './rows.js';
import { isUniqueViolation } from './errors.js';

export function createClientStore(db: Knex): ClientStore {
  const table = () => db<ClientRow>('clients');

  function filtered(query: ClientQuery) {
    const q = table();
    if (query.name !== undefined) q.where('client_name', query.name);
    if (query.owner !== undefined) q.where('owner', query.owner);
    return q;
  }

  return {
    async create(client: Client): Promise<boolean> {
      try {
        await table().insert(clientToRow(client));
        return true;
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
    },

    async get(id: string): Promise<Client | undefined> {
      const row = await table().where('id', id).first();
      return row ? rowToClient(row) : undefined;
    },

    async list(query: ClientQuery): Promise<ClientPage> {
      const page = filtered(query).orderBy('id', 'asc').limit(query.limit + 1);
      if (query.after !== undefined) page.where('id', '>', query.after);
      const [rows, count] = await Promise.all([page, filtered(query).count<Array<{ n: number | string }>>({ n: '*' })]);
      const items = rows.slice(0, query.limit).map(rowToClient);
      const more = rows.length > query.limit;
      return {
        items,
        total: Number(count[0]?.n ?? 0),
        nextAfter: more ? items[items.length - 1]?.client_id : undefined,
      };
    },

    async replace(client: Client): Promise<boolean> {
      const { id, created_at: _created, ...row } = clientToRow(client);
      return (await table().where('id', id).update(row)) > 0;
    },

    async listSealedSecrets(after, limit) {
      const rows = await table()
        .select('id', 'secret_hash', 'previous_secret_hash')
        .where('id', '>', after)
        .andWhere((w) => w.where('secret_hash', 'like', 'sealed$%').orWhere('previous_secret_hash', 'like', 'sealed$%'))
        .orderBy('id', 'asc')
        .limit(limit);
      const found: SealedSecret[] = [];
      for (const row of rows) {
        if (row.secret_hash?.startsWith('sealed$')) found.push({ clientId: row.id, column: 'secret_hash', sealed: row.secret_hash });
        if (row.previous_secret_hash?.startsWith('sealed$')) found.push({ clientId: row.id, column: 'previous_secret_hash', sealed: row.previous_secret_hash });
      }
      return found;
    },

    async swapSealedSecret(clientId, column, expected, next) {
      return (await table().where('id', clientId).andWhere(column, expected).update({ [column]: next })) > 0;
    },

    /** With the client go its grants: its tokens and consents are revoked in the same transaction. */
    async delete(id: string): Promise<boolean> {
      return db.transaction(async (trx) => {
        const deleted = await trx('clients').where('id', id).delete();
        if (deleted === 0) return false;
        await trx('oauth2_tokens').where({ client_id: id, revoked: false }).update({ revoked: true });
        await trx('oauth2_consents').where({ client_id: id, revoked: false }).update({ revoked: true });
        await trx('oauth2_forced_subjects').where({ client_id: id }).delete();
        return true;
      });
    },
  };
}
