import type { ConsentRecord, ConsentStore, LoginSession, LoginSessionStore } from '../ports.js';
import { LOGIN_SESSION_COLUMNS, loginSessionToRow, rowToConsent, rowToLoginSession, type ConsentRow, type LoginSessionRow } from '../knex/rows.js';
import { postgresPlaceholder } from '../flow-sql.js';
import { sessionSql } from '../session-sql.js';
import type { PgDirect, Row, Statement } from './direct.js';

const SQL = sessionSql(postgresPlaceholder, { true: 'true', false: 'false' });
const STATEMENTS = {
  bySecret: { name: 'tessera_login_session_by_secret', text: SQL.loginSessionBySecret },
  save: { name: 'tessera_login_session_save', text: SQL.saveLoginSession },
  latestRemembered: { name: 'tessera_consent_latest_remembered', text: SQL.latestRemembered },
} as const satisfies Record<string, Statement>;

/** The knex login-session store with the sign-in path (save, bySecret) as named statements. */
export function createPgLoginSessionStore(direct: PgDirect, store: LoginSessionStore): LoginSessionStore {
  return {
    ...store,
    async save(session: LoginSession, secretHash: string): Promise<void> {
      const row = loginSessionToRow(session, secretHash);
      await direct.query(STATEMENTS.save, LOGIN_SESSION_COLUMNS.map((c) => row[c]));
    },

    async bySecret(secretHash: string): Promise<LoginSession | undefined> {
      const { rows } = await direct.query<LoginSessionRow & Row>(STATEMENTS.bySecret, [secretHash]);
      return rows[0] ? rowToLoginSession(rows[0]) : undefined;
    },
  };
}

/** The knex consent store with the lookup every login makes as a named statement. */
export function createPgConsentStore(direct: PgDirect, store: ConsentStore): ConsentStore {
  return {
    ...store,
    async latestRemembered(subject: string, clientId: string, now: number): Promise<ConsentRecord | undefined> {
      const { rows } = await direct.query<ConsentRow & Row>(STATEMENTS.latestRemembered, [subject, clientId, now]);
      return rows[0] ? rowToConsent(rows[0]) : undefined;
    },
  };
}
