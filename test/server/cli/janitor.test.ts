import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScrape, valueOf } from '../metrics/prometheus-text.js';
import type { TokenRecord } from '../../../server/src/tokens/token.js';
import { connect, createStorage } from '../../../server/src/storage/knex/index.js';
import { describeEachBackend, type Database } from '../../helpers/databases.js';
import { startTessera, type Running } from '../../helpers/tessera.js';
import { runCli } from '../../helpers/cli.js';
import { createClient } from '../../helpers/clients.js';
import { Browser } from '../../helpers/browser.js';
import { FLOW_URLS, acceptConsent, acceptLogin, challengeOf } from '../../helpers/flow.js';

const HOUR = 3_600_000;

function token(extra: Partial<TokenRecord>): TokenRecord {
  return {
    signature: randomBytes(16).toString('hex'),
    kind: 'access_token',
    familyId: 'janitor-family',
    clientId: 'c',
    subject: 's',
    scope: [],
    audience: [],
    session: {},
    issuedAt: Date.now() - HOUR,
    expiresAt: Date.now() + HOUR,
    usedAt: null,
    revoked: false,
    ...extra,
  };
}

describeEachBackend('tessera janitor', (backend) => {
  let db: Database;
  let t: Running;

  before(async () => {
    db = await backend.create();
    t = await startTessera(db, FLOW_URLS);
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  it('removes exactly what is expired or revoked, keeps what reuse detection needs, while a flow is in progress', async () => {
    const now = Date.now();
    const keep = {
      live: token({}),
      usedButUnexpired: token({ kind: 'refresh_token', usedAt: now - HOUR / 2 }),
      revokedRecently: token({ revoked: true, issuedAt: now - 60_000 }),
    };
    const gone = {
      expired: token({ expiresAt: now - 2 * 24 * HOUR, issuedAt: now - 3 * 24 * HOUR }),
      revokedLongAgo: token({ revoked: true, issuedAt: now - 2 * 24 * HOUR }),
      expiredCode: token({ kind: 'authorization_code', expiresAt: now - 25 * HOUR, usedAt: now - 26 * HOUR }),
    };
    const storage = createStorage(connect(db.dsn));
    try {
      await storage.tokens.insert([...Object.values(keep), ...Object.values(gone)]);
    } finally {
      await storage.close();
    }

    // A flow in progress: login requested, not yet finished.
    const client = await createClient(t.adminUrl, { redirect_uris: ['http://127.0.0.1:9999/cb'], scope: 'openid' });
    const browser = new Browser();
    const start = await browser.get(
      `${t.publicUrl}/oauth2/auth?${new URLSearchParams({ client_id: client.client_id, response_type: 'code', scope: 'openid', state: 'janitor-state' })}`,
    );
    const loginChallenge = challengeOf(start.location, 'login_challenge');

    const metricsDir = mkdtempSync(join(tmpdir(), 'janitor-metrics-'));
    const metricsFile = join(metricsDir, 'tessera_janitor.prom');
    const run = await runCli(['janitor', '--dsn', db.dsn, '--keep-if-younger', '24h', '--batch-size', '1', '--metrics-file', metricsFile]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/^tokens: removed 3 in /m);
    expect(run.stdout).to.match(/^login\/consent requests: removed 0 in /m);
    // The same numbers for node_exporter's textfile collector, read with a Prometheus text parser.
    const metrics = parseScrape(readFileSync(metricsFile, 'utf8'));
    rmSync(metricsDir, { recursive: true, force: true });
    expect(valueOf(metrics, 'tessera_janitor_rows_deleted', { kind: 'tokens' })).to.equal(3);
    expect(valueOf(metrics, 'tessera_janitor_rows_deleted', { kind: 'login_consent_requests' })).to.equal(0);
    expect(valueOf(metrics, 'tessera_janitor_last_run_timestamp_seconds')).to.be.closeTo(Date.now() / 1000, 60);

    const after = createStorage(connect(db.dsn));
    try {
      for (const [name, record] of Object.entries(keep)) expect(await after.tokens.get(record.signature), name).not.to.equal(undefined);
      for (const [name, record] of Object.entries(gone)) expect(await after.tokens.get(record.signature), name).to.equal(undefined);
    } finally {
      await after.close();
    }

    // The flow still completes.
    const toConsent = await browser.get(await acceptLogin(t.adminUrl, loginChallenge));
    const done = await browser.get(await acceptConsent(t.adminUrl, challengeOf(toConsent.location, 'consent_challenge')));
    expect(new URL(done.location ?? '').searchParams.get('code')).to.match(/^ory_ac_/);
  });

  it('removes expired flows with --requests only, and refuses bad flags', async () => {
    const short = await startTessera(db, { ...FLOW_URLS, ttl: { login_consent_request: '1s' } });
    try {
      const client = await createClient(short.adminUrl, { redirect_uris: ['http://127.0.0.1:9999/cb'], scope: 'openid' });
      await new Browser().get(`${short.publicUrl}/oauth2/auth?${new URLSearchParams({ client_id: client.client_id, response_type: 'code', scope: 'openid', state: 'janitor-state' })}`);
    } finally {
      await short.stop();
    }
    await new Promise((r) => setTimeout(r, 1100));
    const run = await runCli(['janitor', '--requests', '--dsn', db.dsn]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/^login\/consent requests: removed [1-9]\d* in /m);
    expect(run.stdout).not.to.match(/^tokens:/m);
    expect((await runCli(['janitor', '--dsn', db.dsn, '--keep-if-younger', 'forever'])).code).to.equal(2);
    expect((await runCli(['janitor', '--dsn', db.dsn, '--batch-size', '0'])).code).to.equal(2);
  });
});
