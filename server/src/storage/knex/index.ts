import type { Storage } from '../ports.js';
import { connect, disconnect, type Connection } from './connect.js';
import { createClientStore } from './client-store.js';
import { createKeyStore } from './key-store.js';
import { createTokenStore } from './token-store.js';
import { createFlowStore } from './flow-store.js';
import { createConsentStore, createLoginSessionStore } from './session-store.js';
import { createForcedSubjectStore } from './forced-subject-store.js';
import { createJanitorStore } from './janitor.js';
import { createLogoutStore, createSessionClients } from './logout-store.js';
import { createDeviceStore } from './device-store.js';
import { createLeakReportStore } from './leak-store.js';
import { SqliteDirect, type BatchObserver } from '../sqlite/direct.js';
import { createSqliteTokenStore } from '../sqlite/token-store.js';
import { createSqliteClientStore } from '../sqlite/client-store.js';
import { createSqliteFlowStore } from '../sqlite/flow-store.js';
import { PgDirect } from '../postgres/direct.js';
import { createPushedRequestStore } from './pushed-request-store.js';
import { createPgClientStore } from '../postgres/client-store.js';
import { createPgTokenStore } from '../postgres/token-store.js';
import { createPgFlowStore } from '../postgres/flow-store.js';
import { createJtiStore } from './jti-store.js';
import { createSqliteJtiStore } from '../sqlite/jti-store.js';
import { createPgJtiStore } from '../postgres/jti-store.js';
import { createSqliteConsentStore, createSqliteLoginSessionStore } from '../sqlite/session-store.js';
import { createPgConsentStore, createPgLoginSessionStore } from '../postgres/session-store.js';
import { createTrustStore } from './trust-store.js';

export { migrateUp, migrateDown, migrationStatus, type MigrationStatus } from './migrate.js';
export { connect, disconnect, type Connection } from './connect.js';

export interface StorageOptions {
  /** SQLite: told the size and wait of each group commit (metrics). */
  readonly observeBatch?: BatchObserver | undefined;
}

export function createStorage(conn: Connection, options: StorageOptions = {}): Storage {
  const { knex } = conn;
  // The hot stores bypass knex: storage/sqlite/direct.ts on SQLite, storage/postgres/direct.ts on PostgreSQL.
  const direct = conn.sqlite ? new SqliteDirect(conn.sqlite, knex, options.observeBatch) : undefined;
  const pg = conn.dialect === 'postgres' ? new PgDirect(knex) : undefined;
  const clients = createClientStore(knex);
  const flows = createFlowStore(knex, conn.dialect);
  const loginSessions = createLoginSessionStore(knex);
  const consents = createConsentStore(knex, conn.dialect);
  return {
    dialect: conn.dialect,
    jtis: direct ? createSqliteJtiStore(direct) : pg ? createPgJtiStore(pg) : createJtiStore(knex),
    trust: createTrustStore(knex),
    clients: direct ? createSqliteClientStore(direct, clients) : pg ? createPgClientStore(pg, clients) : clients,
    keys: createKeyStore(knex, conn.dialect),
    tokens: direct ? createSqliteTokenStore(direct) : pg ? createPgTokenStore(pg) : createTokenStore(knex),
    flows: direct ? createSqliteFlowStore(direct, flows) : pg ? createPgFlowStore(pg, flows) : flows,
    loginSessions: direct ? createSqliteLoginSessionStore(direct, loginSessions) : pg ? createPgLoginSessionStore(pg, loginSessions) : loginSessions,
    consents: direct ? createSqliteConsentStore(direct, consents) : pg ? createPgConsentStore(pg, consents) : consents,
    forcedSubjects: createForcedSubjectStore(knex),
    janitor: createJanitorStore(knex),
    logouts: createLogoutStore(knex),
    sessionClients: createSessionClients(knex),
    devices: createDeviceStore(knex),
    pushedRequests: createPushedRequestStore(knex),
    leakReports: createLeakReportStore(knex),
    async ping(timeoutMs: number): Promise<void> {
      await knex.raw('select 1').timeout(timeoutMs, { cancel: conn.dialect === 'postgres' });
    },
    close: () => disconnect(conn),
  };
}

/** knex's connection pool (tarn), as much of it as the metrics read: sizes and acquire events. */
export interface PoolView {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  on(event: 'acquireRequest' | 'acquireSuccess' | 'acquireFail', listener: (eventId: number) => void): void;
}

/** The pool knex created for this connection (undefined once destroyed). */
export function connectionPool(conn: Connection): PoolView | undefined {
  return (conn.knex.client as { pool?: PoolView }).pool;
}

/** Opens the database named by the DSN. */
export function openStorage(dsn: string): { storage: Storage; connection: Connection } {
  const connection = connect(dsn);
  return { storage: createStorage(connection), connection };
}
