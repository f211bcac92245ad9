import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../../server/src/storage/knex/index.js';
import { startServe, waitUntilReady, type Served } from '../helpers/cli.js';
import { freePorts } from '../helpers/ports.js';
import { createClient, form } from '../helpers/clients.js';
import { describeEachBackend, type Database } from '../helpers/databases.js';
import { migrated, TEST_SECRET } from '../helpers/tessera.js';
import { request } from '../helpers/http.js';
import { mixedLoad, summarise } from './load.js';

interface Proc {
  readonly served: Served;
  readonly publicUrl: string;
  readonly adminUrl: string;
}

/**
 * kill -9 of one of two processes during load: the other keeps answering
 * without 5xx, every token handed out still introspects active, and no
 * failed request left half a grant behind.
 */
describeEachBackend('kill -9 of one process under load', (backend) => {
  let db: Database;
  let home: string;
  const procs: Proc[] = [];

  async function start(issuer: string, publicPort: number, adminPort: number): Promise<Proc> {
    const served = startServe(['all'], {
      cwd: home,
      env: {
        DSN: db.dsn,
        SECRETS_SYSTEM: TEST_SECRET,
        URLS_SELF_ISSUER: issuer,
        SERVE_PUBLIC_HOST: '127.0.0.1',
        SERVE_PUBLIC_PORT: String(publicPort),
        SERVE_ADMIN_PORT: String(adminPort),
        LOG_LEVEL: 'error',
      },
    });
    const proc = { served, publicUrl: `http://127.0.0.1:${publicPort}`, adminUrl: `http://127.0.0.1:${adminPort}` };
    procs.push(proc);
    await waitUntilReady(`${proc.publicUrl}/health/ready`, served);
    return proc;
  }

  before(async () => {
    db = await backend.create();
    await migrated(db.dsn);
    home = mkdtempSync(join(tmpdir(), 'tessera-kill-'));
  });
  after(async () => {
    for (const p of procs) if (p.served.child.exitCode === null) p.served.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.served.exited));
    if (home) rmSync(home, { recursive: true, force: true });
    await db?.drop();
  });

  it('the survivor answers every request, every issued token stays active, no half-written rows', async function () {
    this.timeout(60_000);
    // Four distinct ports, picked together (freePort() twice can hand out one port twice).
    const [pa = 0, pb = 0, aa = 0, ab = 0] = await freePorts(4);
    const issuer = `http://127.0.0.1:${pa}`;
    const [a, b] = await Promise.all([start(issuer, pa, aa), start(issuer, pb, ab)]);
    const client = await createClient(b.adminUrl, { grant_types: ['client_credentials'], scope: 'read' });

    let killedAt = 0;
    const began = Date.now();
    // A load balancer stops sending to A once it is dead; until then both get traffic.
    const targets = () => (killedAt ? [b] : [a, b]);
    setTimeout(() => {
      a.served.child.kill('SIGKILL');
      killedAt = Date.now();
    }, 2000);
    const outcomes = await mixedLoad(targets, client, () => Date.now() - began > 6000, 6);
    console.log(`      load: ${JSON.stringify(summarise(outcomes))} (status 0 = connection to the killed process failed)`);

    const fromB = outcomes.filter((o) => o.target === b.publicUrl || o.target === b.adminUrl);
    expect(fromB.length).to.be.greaterThan(50);
    expect(fromB.filter((o) => o.status !== 200), 'the survivor never failed').to.deep.equal([]);
    const fromA = outcomes.filter((o) => o.target === a.publicUrl || o.target === a.adminUrl);
    expect(fromA.every((o) => o.status === 200 || o.status === 0), 'A answered 200 or not at all').to.equal(true);

    // Every token anyone received is real and active.
    const issued = outcomes.filter((o) => o.token).map((o) => o.token ?? '');
    expect(issued.length).to.be.greaterThan(20);
    for (const token of issued) {
      const res = await request<{ active: boolean }>(b.adminUrl, 'POST', '/admin/oauth2/introspect', form({ token }));
      expect(res.body.active, token).to.equal(true);
    }

    // No half-written grants: every refresh token has an access token in its family,
    // and every exchanged code has its tokens (nothing here issues them half).
    const { knex } = connect(db.dsn);
    try {
      const orphans = await knex('oauth2_tokens as r')
        .where('r.kind', 'refresh_token')
        .whereNotExists((q) => q.select(knex.raw('1')).from('oauth2_tokens as a').whereRaw('a.family_id = r.family_id').andWhere('a.kind', 'access_token'))
        .count<Array<{ n: number | string }>>({ n: '*' });
      expect(Number(orphans[0]?.n ?? 0)).to.equal(0);
      const unfinished = await knex('oauth2_tokens as c')
        .where('c.kind', 'authorization_code')
        .whereNotNull('c.used_at')
        .whereNotExists((q) => q.select(knex.raw('1')).from('oauth2_tokens as a').whereRaw('a.family_id = c.family_id').andWhere('a.kind', 'access_token'))
        .count<Array<{ n: number | string }>>({ n: '*' });
      expect(Number(unfinished[0]?.n ?? 0)).to.equal(0);
    } finally {
      await knex.destroy();
    }
  });
});
