import { expect } from 'chai';
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { describeEachBackend } from '../helpers/databases.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { Browser } from '../helpers/browser.js';
import { CONSENT_URL, LOGIN_URL } from '../helpers/flow.js';
import { request } from '../helpers/http.js';
import { connect } from '../../server/src/storage/knex/index.js';
import { REDIRECT, adminOf, authorization, exchange, hop, introspect, onNode, redirectTo, refresh, startPair, tokens, type Pair } from './support.js';

/*
 * Issue 8, item 1: "A flow can hop between processes at every step", and two
 * processes started at the same moment on an empty key table create the
 * signing key once and serve the same JWKS. Every step below lands on the
 * other process than the step before it, as a load balancer may send it.
 */

const ID_TOKEN_SET = 'hydra.openid.id-token';

interface Jwks {
  readonly keys: ReadonlyArray<JsonWebKey & { kid: string; alg?: string; use?: string }>;
}

function jwtParts(jwt: string): { header: { kid?: string; alg?: string }; payload: Record<string, unknown>; signed: Buffer; signature: Buffer } {
  const [h = '', p = '', s = ''] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { kid?: string; alg?: string },
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>,
    signed: Buffer.from(`${h}.${p}`),
    signature: Buffer.from(s, 'base64url'),
  };
}

describeEachBackend('a flow hopping between two processes on one database', (backend) => {
  let pair: Pair | undefined;
  let client: CreatedClient;

  before(async function () {
    this.timeout(60_000);
    pair = await startPair(backend);
    client = await createClient(pair.a.adminUrl, {
      client_name: 'hopper',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid offline_access',
    });
  });
  after(async function () {
    this.timeout(30_000);
    await pair?.stop();
  });

  const both = (): Pair => {
    expect(pair, 'the two processes are running').not.to.equal(undefined);
    return pair as Pair;
  };

  it('both processes serve the identical JWKS with exactly one key', async () => {
    const { a, b } = both();
    const [fromA, fromB] = await Promise.all([a, b].map((n) => request<Jwks>(n.publicUrl, 'GET', '/.well-known/jwks.json')));
    expect(fromA?.status, fromA?.text).to.equal(200);
    expect(fromB?.status, fromB?.text).to.equal(200);
    expect(fromB?.text).to.equal(fromA?.text);
    expect(fromA?.body.keys, fromA?.text).to.have.length(1);
    expect(a.served.child.pid).not.to.equal(b.served.child.pid);

    // Created once: one set row and one key row, not a second key hidden behind a cache.
    const { knex } = connect(both().db.dsn);
    try {
      const sets = await knex('jwk_sets').where('id', ID_TOKEN_SET).count<Array<{ n: number | string }>>({ n: '*' });
      const keys = await knex('jwks').where('set_id', ID_TOKEN_SET).select<Array<{ kid: string }>>('kid');
      expect({ sets: Number(sets[0]?.n), kids: keys.map((k) => k.kid) }).to.deep.equal({ sets: 1, kids: [fromA?.body.keys[0]?.kid] });
    } finally {
      await knex.destroy();
    }
  });

  it('authorize on A → login via B → login verifier on B → consent via A → code on A → exchange on B → refresh on A → introspect on B and A → userinfo on B', async function () {
    this.timeout(30_000);
    const { a, b, issuer } = both();
    const browser = new Browser();
    const authz = authorization(a, client.client_id);

    // 1. /oauth2/auth on A.
    const loginChallenge = await hop(browser, authz.url, LOGIN_URL, 'login_challenge');

    // 2. The login app reads and accepts through B's admin API.
    const login = await adminOf(b).getLogin(loginChallenge);
    expect(login.status, login.text).to.equal(200);
    expect(login.body.client.client_id).to.equal(client.client_id);
    expect(login.body.skip).to.equal(false);
    const loginVerifier = redirectTo(await adminOf(b).acceptLogin(loginChallenge, { subject: 'alice' }));
    expect(new URL(loginVerifier).origin, 'redirect_to is on the one issuer').to.equal(issuer);

    // 3. The browser comes back with the login verifier, and lands on B.
    const consentChallenge = await hop(browser, onNode(loginVerifier, b), CONSENT_URL, 'consent_challenge');

    // 4. The consent app reads and accepts through A's admin API: A sees what B recorded.
    const consent = await adminOf(a).getConsent(consentChallenge);
    expect(consent.status, consent.text).to.equal(200);
    expect(consent.body.subject).to.equal('alice');
    expect(consent.body.client.client_id).to.equal(client.client_id);
    expect(consent.body.requested_scope).to.deep.equal(['openid', 'offline_access']);
    const consentVerifier = redirectTo(
      await adminOf(a).acceptConsent(consentChallenge, { grant_scope: ['openid', 'offline_access'], session: { id_token: { email: 'alice@example.com' } } }),
    );

    // 5. The consent verifier on A: the code, with RFC 9207 iss.
    const done = await browser.get(onNode(consentVerifier, a));
    expect(done.status, done.body).to.equal(302);
    const callback = new URL(done.location ?? '');
    expect(`${callback.origin}${callback.pathname}`).to.equal(REDIRECT);
    expect(callback.searchParams.get('state')).to.equal(authz.state);
    expect(callback.searchParams.get('iss')).to.equal(issuer);
    const code = callback.searchParams.get('code') ?? '';
    expect(code).to.match(/^ory_ac_/);

    // 6. The code exchanged on B.
    const first = tokens(await exchange(b, client, code, authz.verifier));
    expect(first.access_token).to.match(/^ory_at_/);
    expect(first.refresh_token).to.match(/^ory_rt_/);
    expect(first.scope).to.equal('openid offline_access');

    // The ID token B signed verifies against the one key A publishes.
    const jwks = await request<Jwks>(a.publicUrl, 'GET', '/.well-known/jwks.json');
    const [key] = jwks.body.keys;
    const idToken = jwtParts(first.id_token ?? '');
    expect(idToken.header).to.include({ alg: 'RS256', kid: key?.kid });
    expect(verify('sha256', idToken.signed, createPublicKey({ key: key ?? {}, format: 'jwk' }), idToken.signature), 'ID token signature').to.equal(true);
    expect(idToken.payload).to.include({ iss: issuer, sub: 'alice', nonce: authz.nonce, email: 'alice@example.com' });
    expect([idToken.payload['aud']].flat()).to.include(client.client_id);

    // 7. Refresh on A.
    const second = tokens(await refresh(a, client, first.refresh_token ?? ''));
    expect(second.refresh_token).to.match(/^ory_rt_/);
    expect(second.refresh_token).not.to.equal(first.refresh_token);
    expect(second.access_token).not.to.equal(first.access_token);

    // 8. Introspection on B, then on A: same answer; rotation revoked the first access token on both.
    for (const node of [b, a]) {
      const active = await introspect(node, second.access_token);
      expect(active, `${node.name}: ${JSON.stringify(active)}`).to.include({ active: true, sub: 'alice', client_id: client.client_id, scope: 'openid offline_access', iss: issuer });
      expect((await introspect(node, first.access_token)).active, `${node.name}: the rotated-out access token`).to.equal(false);
      expect((await introspect(node, second.refresh_token ?? '')).active, `${node.name}: the new refresh token`).to.equal(true);
    }

    // 9. Userinfo on B.
    const info = await request<Record<string, unknown>>(b.publicUrl, 'GET', '/userinfo', { headers: { authorization: `Bearer ${second.access_token}` } });
    expect(info.status, info.text).to.equal(200);
    expect(info.body).to.deep.equal({ sub: 'alice', email: 'alice@example.com' });
  });
});
