import { expect } from 'chai';
import { describeEachBackend } from '../helpers/databases.js';
import { connect, migrateUp } from '../../server/src/storage/knex/index.js';
import { timeOrderedId } from '../../server/src/lib/crypto.js';
import type { LeakReport } from '../../server/src/tokens/leaks/report.js';
import { rollBackThrough, useStorage } from './storage.js';

const THIS = '20261202030000_leak_reports';

/* The leak report store (issue 18) and its migration, on SQLite and PostgreSQL. */

function report(at: number, extra: Partial<LeakReport> = {}): LeakReport {
  return {
    id: timeOrderedId(at),
    reportedAt: at,
    channel: 'admin',
    sender: null,
    tokenKind: 'access_token',
    tokenHash: 'a'.repeat(64),
    outcome: 'revoked',
    url: 'https://git.example.com/c/1',
    source: 'commit',
    clientId: 'client-1',
    subject: 'user-1',
    familyId: 'family-1',
    revokedCount: 3,
    ...extra,
  };
}

describeEachBackend('storage: leak reports', (backend) => {
  const ctx = useStorage(backend);

  it('stores every field and lists newest first, by page and by client', async () => {
    const base = 1_800_000_000_000;
    const rows = [
      report(base),
      report(base + 1, { channel: 'public', sender: 'github', outcome: 'not_ours', tokenKind: null, clientId: null, subject: null, familyId: null, revokedCount: 0, url: null, source: null }),
      report(base + 2, { clientId: 'client-2', outcome: 'already_inactive', tokenKind: 'device_code', revokedCount: 0 }),
    ];
    await ctx.storage.leakReports.insert(rows);
    const all = await ctx.storage.leakReports.list({ limit: 10 });
    expect(all).to.deep.equal([...rows].reverse());
    const page1 = await ctx.storage.leakReports.list({ limit: 2 });
    const page2 = await ctx.storage.leakReports.list({ limit: 2, before: page1[1]?.id });
    expect([...page1, ...page2].map((r) => r.id)).to.deep.equal([...rows].reverse().map((r) => r.id));
    expect((await ctx.storage.leakReports.list({ limit: 10, clientId: 'client-1' })).map((r) => r.id)).to.deep.equal([rows[0]?.id]);
    await ctx.storage.leakReports.insert([]);
  });

  it('an insert is all or nothing (a duplicate id refuses the batch)', async () => {
    const a = report(1_800_000_100_000, { clientId: 'batch' });
    await ctx.storage.leakReports.insert([a]);
    let failed = false;
    try {
      await ctx.storage.leakReports.insert([report(1_800_000_100_001, { clientId: 'batch' }), a]);
    } catch {
      failed = true;
    }
    expect(failed).to.equal(true);
    expect(await ctx.storage.leakReports.list({ limit: 10, clientId: 'batch' })).to.have.length(1);
  });

  it('the migration goes down and up again', async () => {
    const conn = connect(ctx.db.dsn);
    try {
      const { rolledBack, later } = await rollBackThrough(conn, THIS);
      expect(rolledBack).to.deep.equal([...[...later].reverse(), THIS]);
      expect(await conn.knex.schema.hasTable('oauth2_leak_reports')).to.equal(false);
      expect(await migrateUp(conn)).to.deep.equal([THIS, ...later]);
      expect(await conn.knex.schema.hasTable('oauth2_leak_reports')).to.equal(true);
    } finally {
      await conn.knex.destroy();
    }
  });
});
