import { createHash } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera, type Running } from '../helpers/tessera.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { Browser } from '../helpers/browser.js';
import { acceptConsent, acceptLogin, challengeOf, CONSENT_URL, LOGIN_URL } from '../helpers/flow.js';
import { request, type Answer } from '../helpers/http.js';
import { connect, type Connection } from '../../server/src/storage/knex/index.js';

/*
 * Issue 12, class 3: every URL that comes from input is checked before it is
 * stored or used (a host after `//`, a port of 1-65535, no backslash), and
 * every redirect is built before the row it answers for is written. Rows
 * "from before these rules" are written through the storage layer or SQL,
 * as an older version would have left them.
 */

const LOGOUT_URL = 'http://login.test/logout';
const STATE = 'state-0123456789';
const VERIFIER = 'u'.repeat(43);
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');
/** Accepted by the WHATWG parser (or refused only when building the redirect), refused by lib/url.ts. */
const BAD = ['https:///cb', 'https:cb', 'https://client.example:0/cb', 'https://client.example:/cb', 'https://client.example:99999/cb', 'https://client.example\\cb', 'https://:443/cb', 'http://127.0.0.1:0/cb'];
const GOOD = ['https://client.example:8443/cb', 'http://127.0.0.1:65535/cb', 'http://[::1]:1/cb', 'com.example.app:/cb', 'myapp://callback/x'];
const WEB_FIELDS = ['jwks_uri', 'client_uri', 'logo_uri', 'policy_uri', 'tos_uri', 'sector_identifier_uri', 'frontchannel_logout_uri', 'backchannel_logout_uri'];

type Json = { error?: string; error_description?: string; [k: string]: unknown };

function expectShown(res: Answer<Json>, error: string, what: string): void {
  expect(res.status, `${what}: ${res.text}`).to.equal(400);
  expect(res.headers.get('location'), what).to.equal(null);
  expect(res.body.error, `${what}: ${res.text}`).to.equal(error);
}

describeEachBackend('URLs built from input', (backend) => {
  const harness = useTessera(backend, { urls: { login: LOGIN_URL, consent: CONSENT_URL, logout: LOGOUT_URL } });
  let t: Running;
  let conn: Connection;
  let db: Knex;
  const admin = (method: string, path: string, json?: unknown) => request<Json>(t.adminUrl, method, path, json === undefined ? {} : { json });
  const count = async (table: string, where: Record<string, string> = {}) => Number((await db(table).where(where).count({ n: '*' }).first())?.['n'] ?? 0);
  /** A client as an older version stored it, bypassing today's validation. */
  const legacy = async (client: CreatedClient, fields: Record<string, unknown>) => {
    const stored = await t.tessera.storage.clients.get(client.client_id);
    if (!stored) throw new Error('client vanished');
    expect(await t.tessera.storage.clients.replace({ ...stored, ...fields })).to.equal(true);
  };
  const authorizeParams = (client: CreatedClient, redirectUri: string, extra: Record<string, string> = {}) =>
    new URLSearchParams({ client_id: client.client_id, redirect_uri: redirectUri, response_type: 'code', scope: 'openid', state: STATE, code_challenge: CHALLENGE, code_challenge_method: 'S256', ...extra });
  const authorize = (client: CreatedClient, redirectUri: string, extra: Record<string, string> = {}) =>
    request<Json>(t.publicUrl, 'GET', `/oauth2/auth?${authorizeParams(client, redirectUri, extra).toString()}`);

  before(() => {
    t = harness.t;
    conn = connect(harness.db.dsn);
    db = conn.knex;
  });
  after(async () => conn?.knex.destroy());

  describe('client registration', () => {
    it('refuses redirect and post-logout URIs with no host, a port outside 1-65535 or a backslash, on create, replace and patch', async () => {
      const base = { redirect_uris: ['https://client.example/cb'] };
      const target = await createClient(t.adminUrl, base);
      for (const uri of BAD) {
        for (const field of ['redirect_uris', 'post_logout_redirect_uris']) {
          expectShown(await admin('POST', '/admin/clients', { ...base, [field]: [uri] }), 'invalid_redirect_uri', `create ${field} ${uri}`);
          expectShown(await admin('PUT', `/admin/clients/${target.client_id}`, { ...base, [field]: [uri] }), 'invalid_redirect_uri', `replace ${field} ${uri}`);
          const patch = [{ op: 'add', path: `/${field}/-`, value: uri }];
          expectShown(await admin('PATCH', `/admin/clients/${target.client_id}`, patch), 'invalid_redirect_uri', `patch ${field} ${uri}`);
        }
      }
      const kept = await admin('POST', '/admin/clients', { redirect_uris: GOOD, post_logout_redirect_uris: GOOD });
      expect(kept.status, kept.text).to.equal(201);
      expect(kept.body['redirect_uris']).to.deep.equal(GOOD);
    });

    it('refuses the same in jwks_uri, the page URIs, the logout URIs, request_uris and allowed_cors_origins', async () => {
      for (const uri of BAD.filter((u) => u.startsWith('https'))) {
        for (const field of WEB_FIELDS) expectShown(await admin('POST', '/admin/clients', { [field]: uri }), 'invalid_client_metadata', `${field} ${uri}`);
        expectShown(await admin('POST', '/admin/clients', { request_uris: [uri] }), 'invalid_client_metadata', `request_uris ${uri}`);
      }
      for (const origin of ['https://a.example:0', 'https:a.example', 'https://a.example:', 'https://a.example:65536', 'https://']) {
        expectShown(await admin('POST', '/admin/clients', { allowed_cors_origins: [origin] }), 'invalid_client_metadata', `origin ${origin}`);
      }
    });
  });

  describe('authorization endpoint', () => {
    let loopback: CreatedClient;
    before(async () => {
      loopback = await createClient(t.adminUrl, { redirect_uris: ['http://127.0.0.1/cb', 'http://[::1]/cb'], token_endpoint_auth_method: 'none' });
    });

    it('RFC 8252 §7.3 loopback ports: any port is 1-65535; anything else is shown, with nothing stored, on success and error paths', async () => {
      for (const host of ['127.0.0.1', '[::1]']) {
        for (const port of ['99999', '65536', '0', '00080', '']) {
          const uri = `http://${host}:${port}/cb`;
          const flows = await count('oauth2_flows');
          expectShown(await authorize(loopback, uri), 'invalid_request', uri);
          expectShown(await authorize(loopback, uri, { scope: 'not-allowed' }), 'invalid_request', `${uri} with an error to send`);
          expect(await count('oauth2_flows'), uri).to.equal(flows);
        }
        for (const port of ['1', '8080', '65535']) {
          const res = await authorize(loopback, `http://${host}:${port}/cb`);
          expect(res.status, res.text).to.equal(302);
          expect(res.headers.get('location') ?? '').to.match(new RegExp(`^${LOGIN_URL}\\?`));
        }
      }
    });

    it('a registered redirect URI stored before these rules is shown as an error, with nothing stored', async () => {
      for (const uri of ['http://127.0.0.1:99999/cb', 'https:///cb', 'https://client.example:0/cb']) {
        const client = await createClient(t.adminUrl, { redirect_uris: ['https://client.example/cb'] });
        await legacy(client, { redirect_uris: [uri] });
        const flows = await count('oauth2_flows');
        expectShown(await authorize(client, uri), 'invalid_request', uri);
        expectShown(await authorize(client, uri, { response_type: 'token' }), 'invalid_request', `${uri} with an error to send`);
        expect(await count('oauth2_flows'), uri).to.equal(flows);
      }
    });
  });

  describe('flows', () => {
    let client: CreatedClient;
    before(async () => {
      client = await createClient(t.adminUrl, { redirect_uris: ['https://client.example/cb'] });
    });

    /** A flow through login and consent; returns the consent verifier URL and the flow id, the row made unusable as an older version could have left it. */
    async function consentedFlow(decision: 'accept' | 'reject') {
      const browser = new Browser();
      const start = await browser.get(`${t.publicUrl}/oauth2/auth?${authorizeParams(client, 'https://client.example/cb').toString()}`);
      const back = await browser.get(await acceptLogin(t.adminUrl, challengeOf(start.location, 'login_challenge')));
      const challenge = challengeOf(back.location, 'consent_challenge');
      const id = String((await admin('GET', `/admin/oauth2/auth/requests/consent?consent_challenge=${challenge}`)).body['consent_request_id']);
      const redirectTo =
        decision === 'accept'
          ? await acceptConsent(t.adminUrl, challenge)
          : String((await admin('PUT', `/admin/oauth2/auth/requests/consent/reject?consent_challenge=${challenge}`, {})).body['redirect_to']);
      const row = await db('oauth2_flows').where({ id }).first();
      const stored = JSON.parse(String(row?.['request'])) as { request: Record<string, unknown> };
      stored.request['redirectUri'] = 'http://127.0.0.1:99999/cb';
      await db('oauth2_flows').where({ id }).update({ request: JSON.stringify(stored) });
      return { browser, redirectTo, id };
    }

    it('the code is stored only when the redirect carrying it can be built: else shown, flow and tokens untouched', async () => {
      for (const decision of ['accept', 'reject'] as const) {
        const { browser, redirectTo, id } = await consentedFlow(decision);
        const done = await browser.get(redirectTo);
        expect(done.status, `${decision}: ${done.body}`).to.equal(400);
        expect(done.location, decision).to.equal(undefined);
        expect(JSON.parse(done.body)).to.include({ error: 'invalid_request' });
        expect(await count('oauth2_tokens', { family_id: id }), decision).to.equal(0);
        expect(await count('oauth2_consents', { id }), decision).to.equal(0);
        expect((await db('oauth2_flows').where({ id }).first())?.['state'], decision).to.equal('consent_handled');
      }
    });
  });

  describe('logout', () => {
    it('a post_logout_redirect_uri stored before these rules is refused before a logout request is stored', async () => {
      const client = await createClient(t.adminUrl, { redirect_uris: ['https://client.example/cb'], post_logout_redirect_uris: ['https://client.example/out'] });
      for (const uri of ['https://client.example:99999/out', 'https://client.example:0/out']) {
        await legacy(client, { post_logout_redirect_uris: [uri] });
        const logouts = await count('oauth2_logouts');
        const res = await request<Json>(t.publicUrl, 'GET', `/oauth2/sessions/logout?${new URLSearchParams({ client_id: client.client_id, post_logout_redirect_uri: uri, state: STATE }).toString()}`);
        expectShown(res, 'invalid_request', uri);
        expect(await count('oauth2_logouts')).to.equal(logouts);
      }
    });

    it('a front-channel logout URI stored before these rules is left out; the user is still signed out', async () => {
      const client = await createClient(t.adminUrl, { redirect_uris: ['https://client.example/cb'], frontchannel_logout_uri: 'https://client.example/fc', frontchannel_logout_session_required: true });
      await legacy(client, { frontchannel_logout_uri: 'https://client.example:99999/fc' });
      const browser = new Browser();
      const start = await browser.get(`${t.publicUrl}/oauth2/auth?${authorizeParams(client, 'https://client.example/cb').toString()}`);
      const back = await browser.get(await acceptLogin(t.adminUrl, challengeOf(start.location, 'login_challenge'), { remember: true }));
      const done = await browser.get(await acceptConsent(t.adminUrl, challengeOf(back.location, 'consent_challenge')));
      expect(done.location ?? '').to.match(/^https:\/\/client\.example\/cb\?code=/);
      const logout = await browser.get(`${t.publicUrl}/oauth2/sessions/logout`);
      const challenge = new URL(logout.location ?? '').searchParams.get('logout_challenge') ?? '';
      const accepted = await admin('PUT', `/admin/oauth2/auth/requests/logout/accept?logout_challenge=${challenge}`);
      const finished = await browser.get(String(accepted.body['redirect_to']));
      expect(finished.status, finished.body).to.equal(200);
      expect(finished.body).not.to.include('<iframe');
      expect(browser.cookies.has('tessera_session')).to.equal(false);
    });
  });
});
