import { expect } from 'chai';
import type pg from 'pg';
import type { Flow } from '../../server/src/flows/flow.js';
import { connect, createStorage, type Connection } from '../../server/src/storage/knex/index.js';
import type { Storage } from '../../server/src/storage/ports.js';
import { postgresBackend, skipUnlessPostgres, type Database } from '../helpers/databases.js';
import { migrated } from '../helpers/tessera.js';
import { clientFixture, tokenRecord } from './storage.js';

/*
 * Every named statement on PostgreSQL's hot paths is planned once per
 * connection: PostgreSQL keeps a generic plan for a prepared statement only
 * when it costs little more than a custom one, and plans anew on every
 * execution otherwise (a lookup by `= any($1)` never qualifies: a generic
 * plan for an array of unknown length is costed above the one-key custom
 * plan). The pool is kept to two connections (`max_conns=2`), and each
 * session's `pg_prepared_statements` is read on that session.
 */

const NOW = 1_800_000_000_000;
const ROUNDS = 20;

function flow(n: number, state: Flow['state']): Flow {
  return {
    id: `plan-flow-${n}`,
    state,
    clientId: 'app',
    request: { clientId: 'app', redirectUri: 'https://app.example/cb', redirectUriSent: true, scope: ['openid'], audience: [], prompt: [], acrValues: [], uiLocales: [], requestUrl: 'https://issuer.example/oauth2/auth' },
    loginSkip: false,
    loginSubject: '',
    sessionId: `sid-${n}`,
    requestedAt: NOW,
    expiresAt: NOW + 60_000,
  };
}

async function exercise(storage: Storage, n: number): Promise<void> {
  await storage.clients.get('app');
  // Lookups of one turn go as one statement (postgres/direct.ts): a batch of three.
  await Promise.all(['app', 'other-1', `other-${n + 2}`].map((id) => storage.clients.get(id)));
  const access = tokenRecord({ clientId: 'app', familyId: `fam-${n}` });
  const refresh = tokenRecord({ clientId: 'app', familyId: `fam-${n}`, kind: 'refresh_token' });
  await storage.tokens.insert([access, refresh]);
  await storage.tokens.get(access.signature);
  await Promise.all([access, refresh].map((t) => storage.tokens.get(t.signature)));
  await storage.tokens.consume(refresh.signature, NOW, [tokenRecord({ clientId: 'app', familyId: `fam-${n}` })], { revokeFamilyAccessTokens: true });
  const f = flow(n, 'login_requested');
  await storage.flows.create(f, { hash: `lc-${n}`, sealed: 'sealed' }, 'browser');
  await storage.flows.find('login_challenge', `lc-${n}`);
  await storage.flows.transition(['login_requested'], { flow: { ...f, state: 'login_handled' }, loginVerifier: `lv-${n}` });
  await storage.flows.find('login_verifier', `lv-${n}`);
  await storage.consents.latestRemembered('alice', 'app', NOW);
  await storage.flows.transition(['login_handled'], { flow: { ...f, state: 'consent_requested' }, consentChallenge: `cc-${n}` });
  await storage.flows.find('consent_challenge', `cc-${n}`);
  await storage.flows.transition(['consent_requested'], { flow: { ...f, state: 'consent_handled' }, consentVerifier: `cv-${n}` });
  await storage.flows.find('consent_verifier', `cv-${n}`);
  const consent = { id: f.id, subject: 'alice', clientId: 'app', loginSessionId: f.sessionId, grantScope: ['openid'], grantAudience: [], accessTokenClaims: {}, idTokenClaims: {}, requestedScope: ['openid'], requestedAudience: [], acr: '', amr: [], context: {}, remember: true, rememberUntil: null, handledAt: NOW };
  await storage.flows.finish(f.id, [tokenRecord({ clientId: 'app', kind: 'authorization_code', familyId: f.id })], consent);
  await storage.loginSessions.save({ id: f.sessionId, subject: 'alice', authenticatedAt: NOW, expiresAt: NOW + 60_000, acr: '', amr: [] }, `ls-${n}`);
  await storage.loginSessions.bySecret(`ls-${n}`);
  await storage.jtis.use(`plan:${n}`, NOW + 60_000, NOW);
  await storage.tokens.revoke(access.signature);
  await storage.tokens.revokeFamily(`fam-${n}`);
  // Not here: deleteAccessTokens (an admin call, not a hot path) filters by client_id, whose
  // rows are skewed across clients, so a custom plan per execution is what it should get.
}

interface Prepared {
  readonly name: string;
  readonly generic: number;
  readonly custom: number;
}

/** Every pooled session's named statements, read on that session (both connections held at once, so each is asked once). */
async function preparedStatements(conn: Connection): Promise<Prepared[]> {
  const pool = conn.knex.client as { acquireConnection(): Promise<pg.Client>; releaseConnection(c: pg.Client): Promise<unknown> };
  const sessions = [await pool.acquireConnection(), await pool.acquireConnection()];
  try {
    const read = async (c: pg.Client) =>
      (await c.query<{ name: string; generic_plans: string; custom_plans: string }>("select name, generic_plans, custom_plans from pg_prepared_statements where name like 'tessera%'")).rows;
    const all = (await Promise.all(sessions.map(read))).flat();
    return all.map((r) => ({ name: r.name, generic: Number(r.generic_plans), custom: Number(r.custom_plans) }));
  } finally {
    for (const c of sessions) await pool.releaseConnection(c);
  }
}

describe('PostgreSQL plans each hot statement once [postgres]', function () {
  let db: Database;
  let conn: Connection;
  let storage: Storage;
  before(async function () {
    skipUnlessPostgres(this);
    db = await postgresBackend.create();
    await migrated(db.dsn);
    const url = new URL(db.dsn);
    url.searchParams.set('max_conns', '2');
    conn = connect(url.toString());
    storage = createStorage(conn);
    expect(await storage.clients.create(clientFixture('app'))).to.equal(true);
    // Plans are costed from the statistics: with a handful of rows every plan is cheap. A table as a
    // server has it after a few minutes of traffic, analyzed (autovacuum would).
    await conn.knex.raw(`insert into oauth2_tokens (signature, kind, family_id, client_id, issued_at, expires_at)
      select md5(i::text) || md5((-i)::text), 'access_token', md5((i / 2)::text), 'app', ${NOW}, ${NOW + 3_600_000} from generate_series(1, 50000) as i`);
    for (let i = 0; i < 500; i++) await storage.clients.create(clientFixture(`other-${i}`));
    await conn.knex.raw('analyze');
  });
  after(async () => {
    await storage?.close();
    await db?.drop();
  });

  it('keeps a generic plan for every named statement the hot paths run', async () => {
    for (let n = 0; n < ROUNDS; n++) await exercise(storage, n);
    const rows = await preparedStatements(conn);
    expect(new Set(rows.map((r) => r.name)).size, 'named statements').to.be.greaterThan(10);
    const replanned = rows.filter((r) => r.custom > 5).map((r) => r.name);
    expect(replanned, 'statements planned on every execution').to.deep.equal([]);
  });

  it('answers every caller of a turn, with one key or many, beyond the listed form too', async () => {
    const tokens = Array.from({ length: 40 }, () => tokenRecord({ clientId: 'app' }));
    await storage.tokens.insert(tokens);
    for (const size of [1, 2, 15, 16, 40]) {
      const asked = [...tokens.slice(0, size).map((t) => t.signature), 'no-such-token', tokens[0]!.signature];
      const found = await Promise.all(asked.map((sig) => storage.tokens.get(sig)));
      expect(found.map((t) => t?.signature), `a turn of ${size} keys`).to.deep.equal([...asked.slice(0, size), undefined, tokens[0]!.signature]);
    }
    const rows = await preparedStatements(conn);
    expect(rows.map((r) => r.name)).to.include.members(['tessera_tokens_get_1', 'tessera_tokens_get_16', 'tessera_tokens_get_any']);
  });
});
