import { createHmac, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { describeEachBackend, type Database } from '../helpers/databases.js';
import { startTessera, type Running } from '../helpers/tessera.js';
import { basic, createClient, form, type CreatedClient } from '../helpers/clients.js';
import { FLOW_URLS } from '../helpers/flow.js';
import {
  authorize,
  basicOf,
  codeParams,
  exchange,
  expectError,
  introspect,
  obtainTokens,
  refresh,
  sleep,
  token,
  tokenRaw,
  TOKEN_FORMAT,
  type TokenBody,
} from './tokens-helpers.js';

/*
 * The authorization code grant at POST /oauth2/token (RFC 6749 §4.1.3,
 * RFC 7636, RFC 9700 §4.5/§4.8), driven end to end: a real flow through
 * login and consent, then the token request built by hand.
 */

const REDIRECT = 'http://127.0.0.1:9999/callback';
const OTHER_REDIRECT = 'http://127.0.0.1:9999/other';

describeEachBackend('authorization code exchange', (backend) => {
  let db: Database;
  let t: Running;
  /** Confidential, Basic, with the refresh_token grant. */
  let client: CreatedClient;
  /** Another confidential client with the same registration. */
  let clientB: CreatedClient;
  /** May be granted offline_access, but lacks the refresh_token grant. */
  let noRefreshGrant: CreatedClient;

  before(async () => {
    db = await backend.create();
    t = await startTessera(db, FLOW_URLS);
    const registration = {
      redirect_uris: [REDIRECT, OTHER_REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid offline_access offline email',
    };
    client = await createClient(t.adminUrl, registration);
    clientB = await createClient(t.adminUrl, registration);
    noRefreshGrant = await createClient(t.adminUrl, { ...registration, grant_types: ['authorization_code'] });
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  describe('success', () => {
    it('returns access, refresh and ID tokens with no-store headers for openid offline_access', async () => {
      const res = await exchange(t, client, await authorize(t, client.client_id, { scope: 'openid offline_access email', redirectUri: REDIRECT }));
      expect(res.status, res.text).to.equal(200);
      expect(res.headers.get('cache-control')).to.equal('no-store');
      expect(res.headers.get('pragma')).to.equal('no-cache');
      expect(res.headers.get('content-type')).to.match(/^application\/json/);
      expect(res.body.access_token).to.match(TOKEN_FORMAT).and.match(/^ory_at_/);
      expect(res.body.refresh_token).to.match(TOKEN_FORMAT).and.match(/^ory_rt_/);
      expect(res.body.id_token).to.be.a('string').and.match(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(res.body).to.include({ token_type: 'bearer', expires_in: 3600, scope: 'openid offline_access email' });
    });

    it('issues a refresh token for the legacy "offline" scope too', async () => {
      const tokens = await obtainTokens(t, client, { scope: 'offline', redirectUri: REDIRECT });
      expect(tokens.refresh_token).to.match(TOKEN_FORMAT).and.match(/^ory_rt_/);
      expect(tokens.scope).to.equal('offline');
      expect(tokens).not.to.have.property('id_token');
    });

    it('issues no refresh token when offline_access was not requested', async () => {
      const tokens = await obtainTokens(t, client, { scope: 'openid email', redirectUri: REDIRECT });
      expect(tokens.access_token).to.match(TOKEN_FORMAT);
      expect(tokens).not.to.have.property('refresh_token');
      expect(tokens.id_token).to.be.a('string');
      expect(tokens.scope).to.equal('openid email');
    });

    it('issues no refresh token when offline_access was requested but consent did not grant it', async () => {
      const tokens = await obtainTokens(t, client, { scope: 'openid offline_access', redirectUri: REDIRECT, consent: { grant_scope: ['openid'] } });
      expect(tokens).not.to.have.property('refresh_token');
      expect(tokens.scope).to.equal('openid');
    });

    it('issues no refresh token when offline_access was granted but the client lacks the refresh_token grant', async () => {
      const tokens = await obtainTokens(t, noRefreshGrant, { scope: 'openid offline_access', redirectUri: REDIRECT });
      expect(tokens.scope).to.equal('openid offline_access');
      expect(tokens).not.to.have.property('refresh_token');
      expect(tokens.id_token).to.be.a('string');
    });

    it('issues no ID token when openid was not granted (requested or not)', async () => {
      const without = await obtainTokens(t, client, { scope: 'offline_access email', redirectUri: REDIRECT });
      expect(without).not.to.have.property('id_token');
      expect(without.refresh_token).to.match(/^ory_rt_/);
      const refused = await obtainTokens(t, client, { scope: 'openid email', redirectUri: REDIRECT, consent: { grant_scope: ['email'] } });
      expect(refused).not.to.have.property('id_token');
      expect(refused.scope).to.equal('email');
    });

    it('accepts a token request without redirect_uri when the authorization request had none', async () => {
      const single = await createClient(t.adminUrl, { redirect_uris: [REDIRECT], grant_types: ['authorization_code'], scope: 'openid' });
      const issued = await authorize(t, single.client_id, { scope: 'openid', redirectUri: REDIRECT, sendRedirectUri: false });
      const res = await exchange(t, single, issued);
      expect(res.status, res.text).to.equal(200);
    });
  });

  describe('code reuse (RFC 6749 §4.1.2, RFC 9700 §4.5)', () => {
    it('refuses a second exchange and revokes what the first one issued', async () => {
      const issued = await authorize(t, client.client_id, { scope: 'openid offline_access', redirectUri: REDIRECT });
      const first = await exchange(t, client, issued);
      expect(first.status, first.text).to.equal(200);
      const { access_token: at, refresh_token: rt = '' } = first.body;
      expect((await introspect(t, at)).active).to.equal(true);
      expect((await introspect(t, rt)).active).to.equal(true);

      expectError(await exchange(t, client, issued), 400, 'invalid_grant', 'second exchange');

      expect(await introspect(t, at)).to.deep.equal({ active: false });
      expect(await introspect(t, rt)).to.deep.equal({ active: false });
      expectError(await refresh(t, client, rt), 400, 'invalid_grant', 'refresh after code reuse');
    });
  });

  describe('PKCE (RFC 7636 §4.6, RFC 9700 §4.8.2)', () => {
    it('refuses a wrong code_verifier', async () => {
      const issued = await authorize(t, client.client_id, { scope: 'openid', redirectUri: REDIRECT });
      const wrong = randomBytes(32).toString('base64url');
      expectError(await token(t, { ...codeParams(issued), code_verifier: wrong }, basicOf(client)), 400, 'invalid_grant', 'wrong verifier');
      expectError(await token(t, { ...codeParams(issued), code_verifier: 'short' }, basicOf(client)), 400, 'invalid_grant', 'malformed verifier');
    });

    it('refuses a missing code_verifier when a challenge was sent', async () => {
      const issued = await authorize(t, client.client_id, { scope: 'openid', redirectUri: REDIRECT });
      const { code_verifier: _dropped, ...params } = codeParams(issued);
      expectError(await token(t, params, basicOf(client)), 400, 'invalid_grant', 'no verifier');
    });

    it('refuses a code_verifier when no challenge was sent (downgrade)', async () => {
      const issued = await authorize(t, client.client_id, { scope: 'openid', redirectUri: REDIRECT, pkce: false });
      expect(issued.verifier).to.equal(undefined);
      const verifier = randomBytes(32).toString('base64url');
      expectError(await token(t, { ...codeParams(issued), code_verifier: verifier }, basicOf(client)), 400, 'invalid_grant', 'verifier without challenge');
    });

    it('exchanges a code issued without PKCE to a confidential client when no verifier is sent', async () => {
      const issued = await authorize(t, client.client_id, { scope: 'openid', redirectUri: REDIRECT, pkce: false });
      expect((await exchange(t, client, issued)).status).to.equal(200);
    });
  });

  describe('redirect_uri at the token endpoint (RFC 6749 §4.1.3)', () => {
    it('refuses a redirect_uri different from the authorization request', async () => {
      const issued = await authorize(t, client.client_id, { scope: 'openid', redirectUri: REDIRECT });
      for (const other of [OTHER_REDIRECT, 'http://127.0.0.1:9999/callback/', 'http://attacker.example/callback']) {
        expectError(await token(t, { ...codeParams(issued), redirect_uri: other }, basicOf(client)), 400, 'invalid_grant', other);
      }
    });

    it('refuses an omitted redirect_uri that was sent at the authorization endpoint', async () => {
      const issued = await authorize(t, client.client_id, { scope: 'openid', redirectUri: REDIRECT });
      const { redirect_uri: _dropped, ...params } = codeParams(issued);
      expectError(await token(t, params, basicOf(client)), 400, 'invalid_grant', 'no redirect_uri');
    });
  });

  describe('client binding and authentication', () => {
    it('refuses a code issued to client A when client B exchanges it', async () => {
      const issued = await authorize(t, client.client_id, { scope: 'openid', redirectUri: REDIRECT });
      expectError(await exchange(t, clientB, issued), 400, 'invalid_grant', 'client B');
    });

    it('refuses a wrong secret with 401 invalid_client and WWW-Authenticate, without consuming the code', async () => {
      const issued = await authorize(t, client.client_id, { scope: 'openid', redirectUri: REDIRECT });
      const res = await token(t, codeParams(issued), basic(client.client_id, `${client.client_secret}x`));
      expectError(res, 401, 'invalid_client', 'wrong secret');
      expect(res.headers.get('www-authenticate')).to.match(/^Basic/);
      // An unauthenticated request must not burn the code of the real client.
      expect((await exchange(t, client, issued)).status).to.equal(200);
    });

    it('refuses Basic from a client registered for client_secret_post', async () => {
      const post = await createClient(t.adminUrl, {
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code'],
        scope: 'openid',
        token_endpoint_auth_method: 'client_secret_post',
      });
      const issued = await authorize(t, post.client_id, { scope: 'openid', redirectUri: REDIRECT });
      const res = await token(t, codeParams(issued), basicOf(post));
      expectError(res, 401, 'invalid_client', 'Basic for a post client');
      expect(res.headers.get('www-authenticate')).to.match(/^Basic/);
      const ok = await token(t, { ...codeParams(issued), client_id: post.client_id, client_secret: post.client_secret });
      expect(ok.status, ok.text).to.equal(200);
    });
  });

  describe('malformed requests', () => {
    it('answers invalid_grant, never 500, for a forged code and for garbage', async () => {
      // Right shape, HMAC under another key: refused by the HMAC check.
      const random = randomBytes(32).toString('base64url');
      const forged = `ory_ac_${random}.${createHmac('sha256', 'not-the-server-key').update(random).digest('base64url')}`;
      const real = await authorize(t, client.client_id, { scope: 'openid', redirectUri: REDIRECT });
      const [realRandom = ''] = real.code.slice('ory_ac_'.length).split('.');
      const swapped = `ory_ac_${randomBytes(32).toString('base64url')}.${real.code.split('.')[1] ?? ''}`;
      const garbage = ['garbage', 'ory_ac_', 'ory_ac_.', `ory_ac_${realRandom}`, `ory_at_${random}.x`, '🔥'.repeat(50), 'ory_ac_' + 'A'.repeat(87), `${real.code}x`];
      // Tokens of another kind, including one re-prefixed: the HMAC verifies, the stored kind does not match.
      const { access_token: at, refresh_token: rt = '' } = await obtainTokens(t, client, { scope: 'offline_access', redirectUri: REDIRECT });
      const otherKinds = [at, rt, at.replace('ory_at_', 'ory_ac_'), rt.replace('ory_rt_', 'ory_ac_')];
      for (const code of [forged, swapped, ...garbage, ...otherKinds]) {
        expectError(await token(t, { ...codeParams(real), code }, basicOf(client)), 400, 'invalid_grant', code);
      }
      // None of those touched the real code.
      expect((await exchange(t, client, real)).status).to.equal(200);
    });

    it('answers invalid_request for a missing code', async () => {
      const issued = await authorize(t, client.client_id, { scope: 'openid', redirectUri: REDIRECT });
      const { code: _dropped, ...params } = codeParams(issued);
      expectError(await token(t, params, basicOf(client)), 400, 'invalid_request', 'no code');
    });

    it('answers invalid_request for a missing grant_type', async () => {
      const issued = await authorize(t, client.client_id, { scope: 'openid', redirectUri: REDIRECT });
      const { grant_type: _dropped, ...params } = codeParams(issued);
      expectError(await token(t, params, basicOf(client)), 400, 'invalid_request', 'no grant_type');
    });

    it('answers invalid_request for repeated parameters (RFC 6749 §3.2)', async () => {
      const issued = await authorize(t, client.client_id, { scope: 'openid', redirectUri: REDIRECT });
      const body = form(codeParams(issued)).body;
      for (const extra of [`code=${encodeURIComponent(issued.code)}`, 'grant_type=authorization_code', `redirect_uri=${encodeURIComponent(REDIRECT)}`, `code_verifier=${issued.verifier ?? ''}`]) {
        expectError(await tokenRaw(t, `${body}&${extra}`, basicOf(client)), 400, 'invalid_request', extra);
      }
      // The refused requests did not consume the code.
      expect((await exchange(t, client, issued)).status).to.equal(200);
    });
  });

  describe('public client (token_endpoint_auth_method none)', () => {
    let pub: CreatedClient;
    const PUBLIC_REDIRECT = 'http://127.0.0.1:8123/cb';

    before(async () => {
      pub = await createClient(t.adminUrl, {
        redirect_uris: [PUBLIC_REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
        scope: 'openid offline_access',
        token_endpoint_auth_method: 'none',
      });
    });

    it('exchanges with client_id in the body, PKCE and no secret', async () => {
      const issued = await authorize(t, pub.client_id, { scope: 'openid offline_access', redirectUri: PUBLIC_REDIRECT });
      const res = await token(t, { ...codeParams(issued), client_id: pub.client_id });
      expect(res.status, res.text).to.equal(200);
      expect(res.body.access_token).to.match(TOKEN_FORMAT);
      expect(res.body.refresh_token).to.match(TOKEN_FORMAT);
      expect(res.body.id_token).to.be.a('string');
    });

    it('refuses the public client when it sends a client_secret', async () => {
      const issued = await authorize(t, pub.client_id, { scope: 'openid', redirectUri: PUBLIC_REDIRECT });
      for (const secret of ['anything', '']) {
        const res = await token(t, { ...codeParams(issued), client_id: pub.client_id, client_secret: secret });
        expectError(res, 401, 'invalid_client', `secret ${JSON.stringify(secret)}`);
      }
      const viaBasic = await token(t, codeParams(issued), basic(pub.client_id, 'anything'));
      expectError(viaBasic, 401, 'invalid_client', 'Basic for a public client');
    });

    it('refuses the public client without code_verifier', async () => {
      const issued = await authorize(t, pub.client_id, { scope: 'openid', redirectUri: PUBLIC_REDIRECT });
      const { code_verifier: _dropped, ...params } = codeParams(issued);
      expectError(await token(t, { ...params, client_id: pub.client_id }), 400, 'invalid_grant', 'public, no verifier');
    });
  });

  describe('race', () => {
    // Three rounds: on SQLite one process serialises the queries, so a single
    // round does not always interleave reads and the consuming UPDATE.
    for (const round of [1, 2, 3]) {
      it(`gives exactly one of 20 parallel exchanges of one code a 200, the others invalid_grant (round ${round})`, async () => {
        const issued = await authorize(t, client.client_id, { scope: 'openid offline_access', redirectUri: REDIRECT });
        const answers = await Promise.all(Array.from({ length: 20 }, () => exchange(t, client, issued)));
        const statuses = answers.map((a) => a.status);
        expect(statuses, JSON.stringify(answers.map((a) => a.text))).not.to.include(500);
        const winners = answers.filter((a) => a.status === 200);
        expect(winners, JSON.stringify(statuses)).to.have.length(1);
        for (const loser of answers.filter((a) => a.status !== 200)) expectError(loser, 400, 'invalid_grant', 'loser');
        // What becomes of the winner's tokens: every loser finds the code
        // used (at its read or at the conditional UPDATE) and, as for a replay
        // (RFC 6749 §4.1.2), revokes the family after the winner committed, so
        // the winner's access and refresh tokens introspect {active:false}
        // (observed on SQLite and PostgreSQL). Not asserted: revoking is a
        // SHOULD, and sparing a client that raced itself would be right too.
        const won = winners[0]?.body as TokenBody;
        expect(won.access_token).to.match(TOKEN_FORMAT);
      });
    }
  });
});

describeEachBackend('authorization code expiry', (backend) => {
  let db: Database;
  let t: Running;
  let client: CreatedClient;

  before(async () => {
    db = await backend.create();
    t = await startTessera(db, { ...FLOW_URLS, ttl: { auth_code: '1s' } });
    client = await createClient(t.adminUrl, { redirect_uris: [REDIRECT], grant_types: ['authorization_code'], scope: 'openid' });
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  it('exchanges a fresh code (control)', async () => {
    const res = await exchange(t, client, await authorize(t, client.client_id, { scope: 'openid', redirectUri: REDIRECT }));
    expect(res.status, res.text).to.equal(200);
  });

  it('refuses a code after ttl.auth_code with invalid_grant', async () => {
    const issued = await authorize(t, client.client_id, { scope: 'openid', redirectUri: REDIRECT });
    await sleep(1200);
    expectError(await exchange(t, client, issued), 400, 'invalid_grant', 'expired code');
  });
});
