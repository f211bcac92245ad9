import { LOGIN_SESSION_COLUMNS } from './knex/rows.js';
import type { Placeholder } from './flow-sql.js';

/*
 * Login sessions and remembered consents as SQL text, for the stores that
 * bypass knex (sqlite/session-store.ts, postgres/session-store.ts): a login
 * reads both on every sign-in. The texts differ between the databases only
 * in placeholders and boolean literals.
 */

export interface SessionSql {
  readonly loginSessionBySecret: string;
  /** Inserts the row, or replaces the one with its id (knex's `onConflict('id').merge()`). */
  readonly saveLoginSession: string;
  /** Values: subject, client id, now. */
  readonly latestRemembered: string;
}

export function sessionSql(mark: Placeholder, booleans: { readonly true: string; readonly false: string }): SessionSql {
  const columns = LOGIN_SESSION_COLUMNS;
  return {
    loginSessionBySecret: `select * from oauth2_login_sessions where secret_hash = ${mark(0)}`,
    saveLoginSession:
      `insert into oauth2_login_sessions (${columns.join(', ')}) values (${columns.map((_, i) => mark(i)).join(', ')}) ` +
      `on conflict (id) do update set ${columns.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`).join(', ')}`,
    // The predicate of oauth2_consents_remembered_idx word for word (migration 20261203000000): SQLite uses a
    // partial index only when the query's WHERE names its terms. Only a decision the user made counts (as
    // Hydra: skip = false): a row of a skip_consent flow with remember set must not skip the consent page once
    // the client loses skip_consent.
    latestRemembered:
      `select * from oauth2_consents where subject = ${mark(0)} and client_id = ${mark(1)} ` +
      `and remember = ${booleans.true} and revoked = ${booleans.false} and skip is null ` +
      `and (remember_until is null or remember_until > ${mark(2)}) order by handled_at desc limit 1`,
  };
}
