import type { Client } from '../../clients/client.js';
import type { ClientStore } from '../ports.js';
import type { ClientRow } from '../knex/rows.js';
import { parsedClients } from '../parsed-clients.js';
import { batchedLookup, type PgDirect } from './direct.js';


/**
 * The knex client store, with `get` (every token request asks it) read by a
 * named statement, the reads of one turn together (postgres/direct.ts); the
 * parsed document is reused while the row is unchanged
 * (storage/parsed-clients.ts).
 */
export function createPgClientStore(direct: PgDirect, store: ClientStore): ClientStore {
  const toClient = parsedClients();
  const lookup = batchedLookup<ClientRow & Record<string, unknown>>(direct, { name: 'tessera_clients_get', table: 'clients', key: 'id' });
  return {
    ...store,
    async get(id: string): Promise<Client | undefined> {
      const row = await lookup(id);
      return row ? toClient(row) : undefined;
    },
  };
}
