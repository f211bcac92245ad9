import { createHash } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera, type Harness, type Running } from '../helpers/tessera.js';
import { createClient, form, type CreatedClient } from '../helpers/clients.js';
import { CONSENT_URL, LOGIN_URL } from '../helpers/flow.js';
import { request, type Answer } from '../helpers/http.js';
import { connect, type Connection } from '../../server/src/storage/knex/index.js';

/*
 * Issue 12, class 10: what one browser request may make us store. A new
 * authorization or end-session request is refused (400 invalid_request,
 * shown, nothing read or written) past a parameter's length or past
 * `oauth2.authorization_request.max_bytes` form-urlencoded (default 8192).
 */

const REDIRECT = 'https://client.example/cb';
const STATE = 'state-0123456789';
const CHALLENGE = createHash('sha256').update('w'.repeat(43)).digest('base64url');
const LIMITS: ReadonlyArray<readonly [string, number]> = [
  ['client_id', 255], ['response_type', 64], ['response_mode', 64], ['redirect_uri', 2048], ['scope', 2048], ['audience', 2048],
  ['state', 2048], ['nonce', 1024], ['code_challenge', 128], ['code_challenge_method', 64], ['prompt', 128], ['max_age', 64],
  ['display', 64], ['login_hint', 1024], ['acr_values', 1024], ['ui_locales', 256], ['id_token_hint', 4096],
];

type Json = { error?: string; error_description?: string };

function expectRefused(res: Answer<Json>, what: string, mentions?: RegExp): void {
  expect(res.status, `${what}: ${res.text.slice(0, 300)}`).to.equal(400);
  expect(res.headers.get('location'), what).to.equal(null);
  expect(res.body.error, what).to.equal('invalid_request');
  if (mentions) expect(res.body.error_description, what).to.match(mentions);
}

/** Rows counted through a connection of the test's own. */
function rows(harness: Harness): { count(table: string): Promise<number>; db(): Knex; close(): Promise<void> } {
  let conn: Connection | undefined;
  const db = () => (conn ??= connect(harness.db.dsn)).knex;
  return {
    db,
    count: async (table) => Number((await db()(table).count({ n: '*' }).first())?.['n'] ?? 0),
    close: async () => conn?.knex.destroy(),
  };
}

describeEachBackend('size of what an authorization request stores', (backend) => {
  const harness = useTessera(backend, { urls: { login: LOGIN_URL, consent: CONSENT_URL, logout: 'http://login.test/logout' } });
  const counter = rows(harness);
  let t: Running;
  let client: CreatedClient;
  const params = (extra: Record<string, string> = {}) => ({
    client_id: client.client_id, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', state: STATE, code_challenge: CHALLENGE, code_challenge_method: 'S256', ...extra,
  });
  const get = (path: string, p: Record<string, string>) => request<Json>(t.publicUrl, 'GET', `${path}?${new URLSearchParams(p).toString()}`);
  const post = (path: string, p: Record<string, string>) => request<Json>(t.publicUrl, 'POST', path, form(p));

  before(async () => {
    t = harness.t;
    client = await createClient(t.adminUrl, { redirect_uris: [REDIRECT], post_logout_redirect_uris: ['https://client.example/out'] });
  });
  after(() => counter.close());

  it('refuses each parameter one character past its length, before anything is stored', async () => {
    const flows = await counter.count('oauth2_flows');
    for (const [name, limit] of LIMITS) {
      expectRefused(await get('/oauth2/auth', params({ [name]: 'a'.repeat(limit + 1) })), `${name} GET`, new RegExp(`${name} may be at most ${limit}`));
      expectRefused(await post('/oauth2/auth', params({ [name]: 'a'.repeat(limit + 1) })), `${name} POST`);
    }
    expect(await counter.count('oauth2_flows')).to.equal(flows);
    const atLimit = await get('/oauth2/auth', params({ state: 's'.repeat(2048), login_hint: 'h'.repeat(1024) }));
    expect(atLimit.status, atLimit.text).to.equal(302);
  });

  it('refuses a request larger than max_bytes as stored (default 8192), whatever parameters make it up', async () => {
    const flows = await counter.count('oauth2_flows');
    expectRefused(await get('/oauth2/auth', params({ padding: 'p'.repeat(8200) })), 'GET 8 KB of padding', /max_bytes/);
    expectRefused(await post('/oauth2/auth', params({ padding: 'p'.repeat(90 * 1024) })), 'POST 90 KB', /max_bytes/);
    // Form-urlencoded, as stored: 2,000 characters of é are 18,000 bytes.
    expectRefused(await post('/oauth2/auth', params({ padding: 'é'.repeat(2000) })), 'POST percent-encoded', /max_bytes/);
    expect(await counter.count('oauth2_flows')).to.equal(flows);
  });

  it('keeps the stored row bounded: a request just under the limit stores a few times the limit at most', async () => {
    const res = await get('/oauth2/auth', params({ state: 's'.repeat(2048), nonce: 'n'.repeat(1024), login_hint: 'h'.repeat(1024), padding: 'p'.repeat(3500) }));
    expect(res.status, res.text).to.equal(302);
    const row = await counter.db()('oauth2_flows').orderBy('requested_at', 'desc').first();
    expect(String(row?.['request']).length).to.be.below(3 * 8192);
  });

  it('applies the same limits to an end-session request, which is stored too', async () => {
    const logouts = await counter.count('oauth2_logouts');
    const base = { client_id: client.client_id, post_logout_redirect_uri: 'https://client.example/out' };
    expectRefused(await get('/oauth2/sessions/logout', { ...base, state: 's'.repeat(2049) }), 'state', /state may be at most 2048/);
    expectRefused(await get('/oauth2/sessions/logout', { ...base, id_token_hint: 'i'.repeat(4097) }), 'id_token_hint');
    expectRefused(await post('/oauth2/sessions/logout', { ...base, padding: 'p'.repeat(50_000) }), 'padding', /max_bytes/);
    expect(await counter.count('oauth2_logouts')).to.equal(logouts);
  });
});

describeEachBackend('oauth2.authorization_request.max_bytes', (backend) => {
  const harness = useTessera(backend, { urls: { login: LOGIN_URL, consent: CONSENT_URL }, oauth2: { authorization_request: { max_bytes: 2048 } } });
  it('is configurable', async () => {
    const t = harness.t;
    const client = await createClient(t.adminUrl, { redirect_uris: [REDIRECT] });
    const p = { client_id: client.client_id, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid', state: STATE, code_challenge: CHALLENGE, code_challenge_method: 'S256' };
    const ok = await request<Json>(t.publicUrl, 'GET', `/oauth2/auth?${new URLSearchParams({ ...p, padding: 'p'.repeat(1500) }).toString()}`);
    expect(ok.status, ok.text).to.equal(302);
    expectRefused(await request<Json>(t.publicUrl, 'GET', `/oauth2/auth?${new URLSearchParams({ ...p, padding: 'p'.repeat(2000) }).toString()}`), '2 KB', /at most 2048/);
  });
});
