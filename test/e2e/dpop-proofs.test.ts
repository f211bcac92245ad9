import { expect } from 'chai';
import { randomUUID, createHash } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { describeEachBackend } from '../helpers/databases.js';
import { startTessera, useTessera, type Running } from '../helpers/tessera.js';
import { basic, createClient, type CreatedClient } from '../helpers/clients.js';
import { request, type Answer } from '../helpers/http.js';

/*
 * RFC 9449 §4.3 and §7.1, one check at a time, with proofs made by hand
 * (jose) at the token endpoint and at userinfo; server nonces (§8, §9) across
 * two processes of one database. The openid-client flows are dpop.test.ts.
 */

interface Key {
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

async function newKey(alg = 'ES256'): Promise<Key> {
  const pair = await generateKeyPair(alg, { extractable: true });
  return { alg, privateKey: pair.privateKey, jwk: await exportJWK(pair.publicKey) };
}

interface ProofOptions {
  readonly htm?: string;
  readonly htu: string;
  readonly iat?: number;
  readonly jti?: string;
  readonly token?: string;
  readonly nonce?: string;
  readonly header?: Record<string, unknown>;
  readonly claims?: Record<string, unknown>;
}

function proof(key: Key, o: ProofOptions): Promise<string> {
  const claims = {
    jti: o.jti ?? randomUUID(),
    htm: o.htm ?? 'POST',
    htu: o.htu,
    iat: o.iat ?? Math.floor(Date.now() / 1000),
    ...(o.token !== undefined ? { ath: createHash('sha256').update(o.token).digest('base64url') } : {}),
    ...(o.nonce !== undefined ? { nonce: o.nonce } : {}),
    ...o.claims,
  };
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, typ: 'dpop+jwt', jwk: key.jwk, ...o.header }).sign(key.privateKey);
}

type Body = Record<string, string>;

function tokenRequest(t: Running, client: CreatedClient, dpop?: string): Promise<Answer<Body>> {
  return request<Body>(t.publicUrl, 'POST', '/oauth2/token', {
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'openid' }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.client_id, client.client_secret), ...(dpop ? { dpop } : {}) },
  });
}

const userinfo = (t: Running, authorization: string, dpop?: string, method = 'GET') =>
  request<Body>(t.publicUrl, method, '/userinfo', { headers: { authorization, ...(dpop ? { dpop } : {}) } });

describeEachBackend('DPoP proofs (RFC 9449 §4.3, §7.1)', (backend) => {
  const h = useTessera(backend);
  let client: CreatedClient;
  let key: Key;
  let tokenUrl: string;
  let userinfoUrl: string;

  before(async () => {
    client = await createClient(h.t.adminUrl, { grant_types: ['client_credentials'], scope: 'openid' });
    key = await newKey();
    tokenUrl = `${h.t.config.urls.self.issuer}/oauth2/token`;
    userinfoUrl = `${h.t.config.urls.self.issuer}/userinfo`;
  });

  const refused = async (dpop: string, pattern: RegExp) => {
    const res = await tokenRequest(h.t, client, dpop);
    expect(res.status, res.text).to.equal(400);
    expect(res.body['error']).to.equal('invalid_dpop_proof');
    expect(res.body['error_description']).to.match(pattern);
  };

  it('binds the token to the key: token_type DPoP', async () => {
    const res = await tokenRequest(h.t, client, await proof(key, { htu: tokenUrl }));
    expect(res.status, res.text).to.equal(200);
    expect(res.body['token_type']).to.equal('DPoP');
    expect(res.headers.get('dpop-nonce'), 'no nonces unless required').to.equal(null);
  });

  it('accepts an htu with another case of scheme and host, a query or a fragment (compared normalised, §4.3 item 9)', async () => {
    const htu = `HTTP://${new URL(tokenUrl).host}/oauth2/token?x=1#y`;
    expect((await tokenRequest(h.t, client, await proof(key, { htu }))).status).to.equal(200);
  });

  it('refuses a replayed proof: the jti is single-use', async () => {
    const once = await proof(key, { htu: tokenUrl });
    expect((await tokenRequest(h.t, client, once)).status).to.equal(200);
    await refused(once, /"jti" was used before/);
  });

  it('refuses the wrong htm or htu', async () => {
    await refused(await proof(key, { htu: tokenUrl, htm: 'GET' }), /"htm"/);
    await refused(await proof(key, { htu: `${h.t.config.urls.self.issuer}/oauth2/revoke` }), /"htu"/);
    await refused(await proof(key, { htu: tokenUrl.replace('127.0.0.1', 'localhost') }), /"htu"/);
  });

  it('refuses a stale iat, one from the future, and a missing one', async () => {
    const now = Math.floor(Date.now() / 1000);
    await refused(await proof(key, { htu: tokenUrl, iat: now - 120 }), /"iat"/);
    await refused(await proof(key, { htu: tokenUrl, iat: now + 60 }), /"iat"/);
    await refused(await proof(key, { htu: tokenUrl, claims: { iat: undefined } }), /"iat"/);
  });

  it('refuses a wrong typ, an algorithm off the list, a private jwk, a bad signature, two headers, and garbage', async () => {
    await refused(await proof(key, { htu: tokenUrl, header: { typ: 'JWT' } }), /"typ"/);
    const mac = await new SignJWT({ jti: randomUUID(), htm: 'POST', htu: tokenUrl, iat: Math.floor(Date.now() / 1000) })
      .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: key.jwk })
      .sign(new Uint8Array(32));
    await refused(mac, /"alg"/);
    await refused(await proof(key, { htu: tokenUrl, header: { jwk: await exportJWK(key.privateKey) } }), /public key/);
    await refused(await proof(key, { htu: tokenUrl, header: { jwk: (await newKey()).jwk } }), /signature/);
    await refused(await proof(await newKey('ES384'), { htu: tokenUrl }), /"alg"/);
    await refused(`${await proof(key, { htu: tokenUrl })}, ${await proof(key, { htu: tokenUrl })}`, /more than one/);
    await refused('not-a-jwt', /not a JWT/);
  });

  describe('at userinfo', () => {
    let token: string;
    before(async () => {
      token = (await tokenRequest(h.t, client, await proof(key, { htu: tokenUrl }))).body['access_token'] ?? '';
    });

    const refusedHere = async (res: Answer<Body>, error: string, pattern: RegExp) => {
      expect(res.status, res.text).to.equal(401);
      expect(res.body['error']).to.equal(error);
      expect(res.body['error_description']).to.match(pattern);
      expect(res.headers.get('www-authenticate')).to.match(new RegExp(`^DPoP realm="tessera", error="${error}", algs="`));
    };

    it('answers with the DPoP scheme and a proof naming the token, GET and POST', async () => {
      const res = await userinfo(h.t, `DPoP ${token}`, await proof(key, { htm: 'GET', htu: userinfoUrl, token }));
      expect(res.status, res.text).to.equal(200);
      expect(res.body['sub']).to.equal(client.client_id);
      const posted = await userinfo(h.t, `DPoP ${token}`, await proof(key, { htm: 'POST', htu: userinfoUrl, token }), 'POST');
      expect(posted.status, posted.text).to.equal(200);
    });

    it('refuses a missing proof, a wrong ath, htm or htu, a replay, and another key', async () => {
      await refusedHere(await userinfo(h.t, `DPoP ${token}`), 'invalid_dpop_proof', /missing/);
      await refusedHere(await userinfo(h.t, `DPoP ${token}`, await proof(key, { htm: 'GET', htu: userinfoUrl, token: 'another' })), 'invalid_dpop_proof', /"ath"/);
      await refusedHere(await userinfo(h.t, `DPoP ${token}`, await proof(key, { htm: 'GET', htu: userinfoUrl })), 'invalid_dpop_proof', /"ath"/);
      await refusedHere(await userinfo(h.t, `DPoP ${token}`, await proof(key, { htm: 'POST', htu: userinfoUrl, token })), 'invalid_dpop_proof', /"htm"/);
      await refusedHere(await userinfo(h.t, `DPoP ${token}`, await proof(key, { htm: 'GET', htu: tokenUrl, token })), 'invalid_dpop_proof', /"htu"/);
      const once = await proof(key, { htm: 'GET', htu: userinfoUrl, token });
      expect((await userinfo(h.t, `DPoP ${token}`, once)).status).to.equal(200);
      await refusedHere(await userinfo(h.t, `DPoP ${token}`, once), 'invalid_dpop_proof', /"jti"/);
      await refusedHere(await userinfo(h.t, `DPoP ${token}`, await proof(await newKey(), { htm: 'GET', htu: userinfoUrl, token })), 'invalid_dpop_proof', /not signed by the key/);
    });

    it('refuses the bound token as Bearer, and an unbound token with the DPoP scheme (§7.2)', async () => {
      await refusedHere(await userinfo(h.t, `Bearer ${token}`), 'invalid_token', /DPoP-bound/);
      const bearer = (await tokenRequest(h.t, client)).body['access_token'] ?? '';
      expect((await userinfo(h.t, `Bearer ${bearer}`)).status).to.equal(200);
      await refusedHere(await userinfo(h.t, `DPoP ${bearer}`, await proof(key, { htm: 'GET', htu: userinfoUrl, token: bearer })), 'invalid_token', /not DPoP-bound/);
    });

    it('answers an inactive token sent with the DPoP scheme in the DPoP scheme', async () => {
      await refusedHere(await userinfo(h.t, 'DPoP ory_at_nothing', await proof(key, { htm: 'GET', htu: userinfoUrl, token: 'ory_at_nothing' })), 'invalid_token', /not active/);
    });
  });
});

/** A clock the suite moves: nonce periods without sleeping. */
const clock = { offset: 0, now: () => Date.now() + clock.offset };

describeEachBackend('DPoP server nonces across processes (RFC 9449 §8, §9)', (backend) => {
  const h = useTessera(backend, { oauth2: { dpop: { nonce: { required: true, lifetime: '1m' } } } }, { clock });
  let second: Running;
  let client: CreatedClient;
  let key: Key;
  let tokenUrl: string;

  before(async () => {
    // Another process on the same database and secret, publishing the same issuer: a scale-out.
    second = await startTessera(h.db, { urls: { self: { issuer: h.t.config.urls.self.issuer } }, oauth2: { dpop: { nonce: { required: true, lifetime: '1m' } } } }, { clock });
    client = await createClient(h.t.adminUrl, { grant_types: ['client_credentials'], scope: 'openid' });
    key = await newKey();
    tokenUrl = `${h.t.config.urls.self.issuer}/oauth2/token`;
  });
  after(async () => {
    await second?.stop();
  });
  afterEach(() => {
    clock.offset = 0;
  });

  const nonceOf = (res: Answer<Body>) => res.headers.get('dpop-nonce') ?? '';

  it('asks for a nonce; one handed out by one process works at the other, and comes back with the token', async () => {
    const first = await tokenRequest(h.t, client, await proof(key, { htu: tokenUrl }));
    expect(first.status).to.equal(400);
    expect(first.body['error']).to.equal('use_dpop_nonce');
    const nonce = nonceOf(first);
    expect(nonce).to.match(/^[A-Za-z0-9_-]{22}$/);
    const ok = await tokenRequest(second, client, await proof(key, { htu: tokenUrl, nonce }));
    expect(ok.status, ok.text).to.equal(200);
    expect(ok.body['token_type']).to.equal('DPoP');
    expect(nonceOf(ok)).to.equal(nonce);
  });

  it('refuses a made-up nonce and one two periods old, handing out the current one', async () => {
    const made = await tokenRequest(h.t, client, await proof(key, { htu: tokenUrl, nonce: 'AAAAAAAAAAAAAAAAAAAAAA' }));
    expect(made.body['error']).to.equal('use_dpop_nonce');
    const nonce = nonceOf(made);
    clock.offset = 60_000;
    const iat = Math.floor(clock.now() / 1000);
    expect((await tokenRequest(second, client, await proof(key, { htu: tokenUrl, nonce, iat }))).status, 'the next period still takes it').to.equal(200);
    clock.offset = 120_000;
    const old = await tokenRequest(h.t, client, await proof(key, { htu: tokenUrl, nonce, iat: Math.floor(clock.now() / 1000) }));
    expect(old.body['error']).to.equal('use_dpop_nonce');
    expect(nonceOf(old)).to.not.equal(nonce);
  });

  it('a jti spent at one process is refused at the other', async () => {
    const nonce = nonceOf(await tokenRequest(h.t, client, await proof(key, { htu: tokenUrl })));
    const once = await proof(key, { htu: tokenUrl, nonce });
    expect((await tokenRequest(h.t, client, once)).status).to.equal(200);
    const replay = await tokenRequest(second, client, once);
    expect(replay.status).to.equal(400);
    expect(replay.body['error']).to.equal('invalid_dpop_proof');
  });

  it('userinfo asks for a nonce in its challenge (§9)', async () => {
    const nonce = nonceOf(await tokenRequest(h.t, client, await proof(key, { htu: tokenUrl })));
    const token = (await tokenRequest(h.t, client, await proof(key, { htu: tokenUrl, nonce }))).body['access_token'] ?? '';
    const userinfoUrl = `${h.t.config.urls.self.issuer}/userinfo`;
    const res = await userinfo(h.t, `DPoP ${token}`, await proof(key, { htm: 'GET', htu: userinfoUrl, token }));
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.match(/^DPoP realm="tessera", error="use_dpop_nonce"/);
    const again = await userinfo(h.t, `DPoP ${token}`, await proof(key, { htm: 'GET', htu: userinfoUrl, token, nonce: nonceOf(res) }));
    expect(again.status, again.text).to.equal(200);
  });
});
