import type { Storage } from '../ports.js';
import { connect, type Connection } from './connect.js';
import { createClientStore } from './client-store.js';
import { createKeyStore } from './key-store.js';
import { createTokenStore } from './token-store.js';
import { createFlowStore } from './flow-store.js';
import { createConsentStore, createLoginSessionStore } from './session-store.js';
import { createJanitorStore } from './janitor.js';
import { createLogoutStore, createSessionClients } from './logout-store.js';

export { migrateUp, migrateDown, migrationStatus, type MigrationStatus } from './migrate.js';
export { connect, type Connection } from './connect.js';

export function createStorage(conn: Connection): Storage {
  const { knex } = conn;
  return {
    dialect: conn.dialect,
    clients: createClientStore(knex),
    keys: createKeyStore(knex),
    tokens: createTokenStore(knex),
    flows: createFlowStore(knex),
    loginSessions: createLoginSessionStore(knex),
    consents: createConsentStore(knex),
    janitor: createJanitorStore(knex),
    logouts: createLogoutStore(knex),
    sessionClients: createSessionClients(knex),
    async ping(timeoutMs: number): Promise<void> {
      await knex.raw('select 1').timeout(timeoutMs, { cancel: conn.dialect === 'postgres' });
    },
    close: () => knex.destroy(),
  };
}

/** Opens the database named by the DSN. */
export function openStorage(dsn: string): { storage: Storage; connection: Connection } {
  const connection = connect(dsn);
  return { storage: createStorage(connection), connection };
}
