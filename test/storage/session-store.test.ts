import { expect } from 'chai';
import type { Knex } from 'knex';
import type { ConsentRecord, LoginSession } from '../../server/src/storage/ports.js';
import { connect, createStorage, migrateUp, type Connection } from '../../server/src/storage/knex/index.js';
import { consentToRow } from '../../server/src/storage/knex/rows.js';
import { sessionSql } from '../../server/src/storage/session-sql.js';
import { sqlitePlaceholder } from '../../server/src/storage/flow-sql.js';
import type { Storage } from '../../server/src/storage/ports.js';
import { describeEachBackend, type Database } from '../helpers/databases.js';
import { migrated } from '../helpers/tessera.js';
import { rollBackThrough } from './storage.js';

/*
 * The sign-in path's stores without knex (storage/sqlite/session-store.ts,
 * storage/postgres/session-store.ts): login sessions by cookie secret, and
 * the newest remembered consent, read through a partial index so its cost
 * does not grow with the subject's sign-ins (issue 20).
 */

const NOW = 1_800_000_000_000;
let made = 0;

function consent(extra: Partial<ConsentRecord> = {}): ConsentRecord {
  made += 1;
  return {
    id: `consent-${made}`,
    subject: 'alice',
    clientId: 'app',
    loginSessionId: 'sid-1',
    grantScope: ['openid'],
    grantAudience: [],
    accessTokenClaims: {},
    idTokenClaims: {},
    requestedScope: ['openid'],
    requestedAudience: [],
    acr: '',
    amr: [],
    remember: true,
    rememberUntil: null,
    handledAt: NOW - 1000 * (100 - made),
    ...extra,
  };
}

describeEachBackend('login sessions and remembered consents (direct statements)', (backend) => {
  let db: Database;
  let conn: Connection;
  let storage: Storage;
  const insert = (...records: ConsentRecord[]) => conn.knex('oauth2_consents').insert(records.map(consentToRow));

  before(async () => {
    db = await backend.create();
    await migrated(db.dsn);
    conn = connect(db.dsn);
    storage = createStorage(conn);
  });
  after(async () => {
    await storage?.close();
    await db?.drop();
  });

  it('saves a login session, finds it by its secret, and replaces it by id', async () => {
    const session: LoginSession = { id: 'sid-a', subject: 'alice', authenticatedAt: NOW, expiresAt: NOW + 60_000, acr: 'urn:pwd', amr: ['pwd', 'otp'] };
    await storage.loginSessions.save(session, 'hash-1');
    expect(await storage.loginSessions.bySecret('hash-1')).to.deep.equal(session);
    const extended = { ...session, expiresAt: NOW + 120_000, amr: ['pwd'] };
    await storage.loginSessions.save(extended, 'hash-2');
    expect(await storage.loginSessions.bySecret('hash-1')).to.equal(undefined);
    expect(await storage.loginSessions.bySecret('hash-2')).to.deep.equal(extended);
    expect(await storage.loginSessions.delete({ id: 'sid-a' })).to.deep.equal(['sid-a']);
    expect(await storage.loginSessions.bySecret('hash-2')).to.equal(undefined);
  });

  it('answers the newest remembered decision, never a revoked, expired, skipped or unremembered one', async () => {
    const wanted = consent({ grantScope: ['openid', 'email'], context: { step: 2 } });
    await insert(
      consent({ subject: 'bob' }),
      wanted,
      consent({ remember: false }),
      consent({ skip: 'remembered', originId: wanted.id }),
      consent({ skip: 'client' }),
      consent({ rememberUntil: NOW - 1 }),
      consent({ clientId: 'other' }),
    );
    await insert({ ...consent(), id: 'revoked-one' });
    await conn.knex('oauth2_consents').where({ id: 'revoked-one' }).update({ revoked: true });

    expect(await storage.consents.latestRemembered('alice', 'app', NOW)).to.deep.equal(wanted);
    const later = consent({ rememberUntil: NOW + 1 });
    await insert(later);
    expect((await storage.consents.latestRemembered('alice', 'app', NOW))?.id).to.equal(later.id);
    expect((await storage.consents.latestRemembered('alice', 'app', NOW + 1))?.id).to.equal(wanted.id);
    expect(await storage.consents.latestRemembered('carol', 'app', NOW)).to.equal(undefined);
  });

  it('reads remembered consents through the partial index, not every row of the subject', async () => {
    const sql = sessionSql(sqlitePlaceholder, backend.name === 'postgres' ? { true: 'true', false: 'false' } : { true: '1', false: '0' }).latestRemembered;
    const plan = await explain(conn.knex, backend.name, sql, ['alice', 'app', NOW]);
    expect(plan).to.contain('oauth2_consents_remembered_idx');
  });

  it('migrates the index down and up again', async () => {
    const name = '20261203000000_consent_remembered_index';
    const { rolledBack, later } = await rollBackThrough(conn, name);
    expect(rolledBack).to.include(name);
    expect(await storage.consents.latestRemembered('alice', 'app', NOW)).to.not.equal(undefined);
    expect(await migrateUp(conn)).to.deep.equal([name, ...later]);
    const sql = sessionSql(sqlitePlaceholder, backend.name === 'postgres' ? { true: 'true', false: 'false' } : { true: '1', false: '0' }).latestRemembered;
    expect(await explain(conn.knex, backend.name, sql, ['alice', 'app', NOW])).to.contain('oauth2_consents_remembered_idx');
  });
});

/** The query plan as text; PostgreSQL is told to avoid sequential scans, as it would prefer them on a table this small. */
async function explain(knex: Knex, dialect: string, sql: string, values: readonly Knex.Value[]): Promise<string> {
  if (dialect !== 'postgres') {
    const rows = (await knex.raw(`explain query plan ${sql}`, [...values])) as Array<{ detail: string }>;
    return rows.map((r) => r.detail).join('\n');
  }
  return knex.transaction(async (trx) => {
    await trx.raw('set local enable_seqscan = off');
    const result = (await trx.raw(`explain ${sql}`, [...values])) as { rows: Array<Record<string, string>> };
    return result.rows.map((r) => Object.values(r).join(' ')).join('\n');
  });
}
