import type { Client } from '../../clients/client.js';
import type { ClientStore } from '../ports.js';
import type { ClientRow } from '../knex/rows.js';
import { parsedClients } from '../parsed-clients.js';
import type { SqliteDirect } from './direct.js';

const GET = 'select * from clients where id = ?';

/**
 * The knex client store, with `get` (every token request asks it) read by a
 * prepared statement on the direct connection; the parsed document is reused
 * while the row is unchanged (storage/parsed-clients.ts).
 */
export function createSqliteClientStore(direct: SqliteDirect, store: ClientStore): ClientStore {
  const toClient = parsedClients();
  return {
    ...store,
    get(id: string): Promise<Client | undefined> {
      return direct.read((db) => {
        const row = db.prepare(GET).get(id) as ClientRow | undefined;
        return row ? toClient(row) : undefined;
      });
    },
  };
}
