import type { ConsentRecord, ConsentStore, LoginSession, LoginSessionStore } from '../ports.js';
import { LOGIN_SESSION_COLUMNS, loginSessionToRow, rowToConsent, rowToLoginSession, type ConsentRow, type LoginSessionRow } from '../knex/rows.js';
import { sqlitePlaceholder } from '../flow-sql.js';
import { sessionSql } from '../session-sql.js';
import type { SqliteDirect } from './direct.js';

const SQL = sessionSql(sqlitePlaceholder, { true: '1', false: '0' });

/** The knex login-session store with the sign-in path (save, bySecret) on the direct connection. */
export function createSqliteLoginSessionStore(direct: SqliteDirect, store: LoginSessionStore): LoginSessionStore {
  return {
    ...store,
    save(session: LoginSession, secretHash: string): Promise<void> {
      const row = loginSessionToRow(session, secretHash);
      return direct.write((db) => {
        db.prepare(SQL.saveLoginSession).run(LOGIN_SESSION_COLUMNS.map((c) => row[c]));
      });
    },

    bySecret(secretHash: string): Promise<LoginSession | undefined> {
      return direct.read((db) => {
        const row = db.prepare(SQL.loginSessionBySecret).get(secretHash) as LoginSessionRow | undefined;
        return row ? rowToLoginSession(row) : undefined;
      });
    },
  };
}

/** The knex consent store with the lookup every login makes on the direct connection. */
export function createSqliteConsentStore(direct: SqliteDirect, store: ConsentStore): ConsentStore {
  return {
    ...store,
    latestRemembered(subject: string, clientId: string, now: number): Promise<ConsentRecord | undefined> {
      return direct.read((db) => {
        const row = db.prepare(SQL.latestRemembered).get(subject, clientId, now) as ConsentRow | undefined;
        return row ? rowToConsent(row) : undefined;
      });
    },
  };
}
