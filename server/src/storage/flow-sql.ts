import { createHash } from 'node:crypto';
import type { FlowLookup } from './ports.js';

/*
 * The flow store's statements as SQL text, for the stores that bypass knex
 * (sqlite/flow-store.ts, postgres/flow-store.ts). Column names come from
 * storage/knex/rows.ts, never from a request; each text is built once per
 * shape and kept, so a statement costs a Map lookup instead of knex's
 * builder and compiler.
 */

const LOOKUPS: ReadonlySet<FlowLookup> = new Set(['login_challenge', 'login_verifier', 'consent_challenge', 'consent_verifier']);

/** A placeholder for the i-th value: `?` (SQLite) or `$1…` (PostgreSQL). */
export type Placeholder = (index: number) => string;
export const sqlitePlaceholder: Placeholder = () => '?';
export const postgresPlaceholder: Placeholder = (i) => `$${i + 1}`;

/** A stable statement name for a text (PostgreSQL prepares per connection by name). */
export const statementName = (text: string): string => `tessera_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;

export interface FlowSql {
  insert(columns: readonly string[]): string;
  find(by: FlowLookup): string;
  /** `update … set <columns> where id = ? and state in (<from>)`: the values are the columns', then the id, then the states. */
  transition(columns: readonly string[], states: number): string;
}

export function flowSql(mark: Placeholder): FlowSql {
  const texts = new Map<string, string>();
  const kept = (key: string, build: () => string) => {
    let text = texts.get(key);
    if (text === undefined) texts.set(key, (text = build()));
    return text;
  };
  return {
    insert: (columns) =>
      kept(`i:${columns.join(',')}`, () => `insert into oauth2_flows (${columns.join(', ')}) values (${columns.map((_, i) => mark(i)).join(', ')})`),
    find: (by) => {
      if (!LOOKUPS.has(by)) throw new Error(`not a flow lookup column: ${by}`);
      return kept(`f:${by}`, () => `select * from oauth2_flows where ${by} = ${mark(0)}`);
    },
    transition: (columns, states) =>
      kept(`t:${columns.join(',')}:${states}`, () => {
        const set = columns.map((c, i) => `${c} = ${mark(i)}`).join(', ');
        const from = Array.from({ length: states }, (_, i) => mark(columns.length + 1 + i)).join(', ');
        return `update oauth2_flows set ${set} where id = ${mark(columns.length)} and state in (${from})`;
      }),
  };
}
