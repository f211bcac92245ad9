import type { Client } from '../clients/client.js';
import { rowToClient, type ClientRow } from './knex/rows.js';

/** Parsed clients kept; past it, the oldest goes. */
const PARSED_LIMIT = 1000;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** Every column equal: a column added later (a migration) takes part without a change here. */
function sameRow(a: ClientRow, b: ClientRow): boolean {
  const keys = Object.keys(a) as Array<keyof ClientRow>;
  if (keys.length !== Object.keys(b).length) return false;
  // Timestamps may come back as strings (PostgreSQL bigint) or numbers (SQLite): compare as read.
  return keys.every((key) => a[key] === b[key]);
}

/**
 * What the hot client stores keep between requests: the parsing of a row's
 * JSON document, reused while the row read now equals the row it came from.
 * The row itself is read on every request, so a change by any process is
 * seen at once (DESIGN.md § Storage). Kept clients are frozen: callers share
 * them.
 */
export function parsedClients(): (row: ClientRow) => Client {
  const parsed = new Map<string, { row: ClientRow; client: Client }>();
  return (row) => {
    const kept = parsed.get(row.id);
    if (kept && sameRow(kept.row, row)) return kept.client;
    const client = deepFreeze(rowToClient(row));
    if (!kept && parsed.size >= PARSED_LIMIT) parsed.delete(parsed.keys().next().value ?? '');
    parsed.set(row.id, { row, client });
    return client;
  };
}
