import type { Client } from '../../clients/client.js';
import type { ClientStore } from '../ports.js';
import { rowToClient, type ClientRow } from '../knex/rows.js';
import type { SqliteDirect } from './direct.js';

const GET = 'select * from clients where id = ?';
/** Parsed clients kept; past it, the oldest goes. */
const PARSED_LIMIT = 1000;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function sameRow(a: ClientRow, b: ClientRow): boolean {
  return (
    a.document === b.document &&
    a.secret_hash === b.secret_hash &&
    a.previous_secret_hash === b.previous_secret_hash &&
    a.previous_secret_expires_at === b.previous_secret_expires_at &&
    a.registration_token_hash === b.registration_token_hash &&
    a.updated_at === b.updated_at &&
    a.client_name === b.client_name &&
    a.owner === b.owner &&
    a.created_at === b.created_at
  );
}

/**
 * The knex client store, with `get` (every token request asks it) read by a
 * prepared statement on the direct connection. The row is always read, so a
 * change by any process is seen at once; what is kept is only the parsing of
 * its JSON document, reused while the row is unchanged. Kept clients are
 * frozen: callers share them.
 */
export function createSqliteClientStore(direct: SqliteDirect, store: ClientStore): ClientStore {
  const parsed = new Map<string, { row: ClientRow; client: Client }>();

  function toClient(row: ClientRow): Client {
    const kept = parsed.get(row.id);
    if (kept && sameRow(kept.row, row)) return kept.client;
    const client = deepFreeze(rowToClient(row));
    if (!kept && parsed.size >= PARSED_LIMIT) parsed.delete(parsed.keys().next().value ?? '');
    parsed.set(row.id, { row, client });
    return client;
  }

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
