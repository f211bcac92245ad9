import { expect } from 'chai';
import type { Knex } from 'knex';
import { migrations, type Migration } from '@tessera/migrations';
import { describeEachBackend, type Database } from '../helpers/databases.js';
import { connect, createStorage, migrateUp, type Connection } from '../../server/src/storage/knex/index.js';
import { tokenToRow } from '../../server/src/storage/knex/rows.js';
import type { TokenRecord } from '../../server/src/tokens/token.js';
import { rollBackThrough, tokenRecord } from './storage.js';

/*
 * Migration consent_per_flow: token families issued before it from flows
 * that skipped the consent app had no consent row. The migration gives each
 * one, so consent revocation and logout reach them; client_credentials
 * families (no user, no consent) stay without.
 */

const THIS = '20261124030000_consent_per_flow';

/** Runs the migrations before this one, as a database deployed earlier has them. */
async function migrateBefore(knex: Knex): Promise<void> {
  const earlier = migrations.slice(0, migrations.findIndex((m) => m.name === THIS));
  const source: Knex.MigrationSource<Migration> = {
    getMigrations: async () => [...earlier],
    getMigrationName: (m) => m.name,
    getMigration: async (m) => m,
  };
  await knex.migrate.latest({ migrationSource: source, tableName: 'tessera_migrations' });
}

const client = (id: string, document: Record<string, unknown>) => ({ id, client_name: id, owner: '', secret_hash: null, document: JSON.stringify(document), created_at: 1, updated_at: 1 });

const family = (familyId: string, clientId: string, extra: Partial<TokenRecord> = {}): TokenRecord[] =>
  (['access_token', 'refresh_token'] as const).map((kind, i) =>
    tokenRecord({ familyId, clientId, subject: 'old-user', kind, issuedAt: 2_000 + i, session: { sid: `sid-${familyId}`, ext: { a: 1 }, acr: 'pwd' }, ...extra }),
  );

describeEachBackend('migration consent_per_flow backfills consent rows', (backend) => {
  let db: Database;
  let conn: Connection;

  before(async () => {
    db = await backend.create();
    conn = connect(db.dsn);
    await migrateBefore(conn.knex);
    const { knex } = conn;
    await knex('clients').insert([client('plain', {}), client('first-party', { skip_consent: true })]);
    await knex('oauth2_consents').insert({
      id: 'decided', subject: 'old-user', client_id: 'plain', login_session_id: 'sid-x', grant: JSON.stringify({ grantScope: ['openid'] }),
      remember: true, remember_until: null, handled_at: 1_000, revoked: false,
    });
    const tokens = [
      ...family('reused', 'plain'),
      ...family('skipped-by-client', 'first-party'),
      ...family('all-revoked', 'plain', { revoked: true }),
      ...family('decided', 'plain'),
      tokenRecord({ familyId: 'machine', clientId: 'plain', subject: 'plain', session: {} }),
    ];
    await knex('oauth2_tokens').insert(tokens.map(tokenToRow));
    await migrateUp(conn);
  });
  after(async () => {
    await conn?.knex.destroy();
    await db?.drop();
  });

  const consent = (id: string) => conn.knex('oauth2_consents').where('id', id).first();

  it('gives each orphaned family of a flow a consent row, marked skipped, pointing at the consent it re-used', async () => {
    expect(await consent('reused')).to.include({ subject: 'old-user', client_id: 'plain', login_session_id: 'sid-reused', skip: 'remembered', origin_id: 'decided' });
    expect(await consent('skipped-by-client')).to.include({ client_id: 'first-party', skip: 'client', origin_id: null });
    expect(Boolean((await consent('all-revoked'))?.revoked)).to.equal(true);
    expect(await consent('machine')).to.equal(undefined);
    expect(await consent('decided')).to.include({ skip: null, login_session_id: 'sid-x' });
  });

  it('so revoking the re-used consent, or logging the session out, reaches the old tokens', async () => {
    const storage = createStorage(connect(db.dsn));
    try {
      const participants = await storage.sessionClients.clientsOfSessions(['sid-skipped-by-client']);
      expect(participants).to.deep.equal([{ sid: 'sid-skipped-by-client', clientId: 'first-party', subject: 'old-user' }]);
      expect(await storage.consents.revoke({ consentId: 'decided' })).to.equal(2);
      const live = await conn.knex('oauth2_tokens').whereIn('family_id', ['reused', 'decided']).where('revoked', false);
      expect(live).to.deep.equal([]);
    } finally {
      await storage.close();
    }
  });

  it('goes down and up again', async () => {
    const { rolledBack, later } = await rollBackThrough(conn, THIS);
    expect(rolledBack).to.deep.equal([...[...later].reverse(), THIS]);
    expect(await consent('reused')).to.equal(undefined);
    expect(await consent('decided')).to.not.equal(undefined);
    expect(await migrateUp(conn)).to.deep.equal([THIS, ...later]);
    expect(await consent('reused')).to.include({ skip: 'remembered' });
  });
});
