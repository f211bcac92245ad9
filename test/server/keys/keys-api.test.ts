import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import type { JsonWebKey, JsonWebKeySet } from '@tessera/sdk';
import { describeEachBackend, type Database } from '../../helpers/databases.js';
import { startTessera, TEST_SECRET, type Running } from '../../helpers/tessera.js';
import { request, type Answer } from '../../helpers/http.js';
import { connect, type Connection } from '../../../server/src/storage/knex/index.js';
import { ConfigError } from '../../../server/src/config/load.js';

/*
 * /admin/keys through HTTP, as README "Admin API → Keys" describes it (Hydra
 * v2's jwk/handler.go), on a started server. The published side
 * (/.well-known/jwks.json) is in jwks.test.ts, start-up by several processes
 * in startup-race.test.ts.
 */

interface ErrorBody {
  error: string;
  error_description: string;
}

interface JwkRow {
  set_id: string;
  kid: string;
  public_jwk: string;
  private_jwk: string | null;
}

type Alg = 'RS256' | 'ES256' | 'EdDSA';

const ID_TOKEN_SET = 'hydra.openid.id-token';
/** RFC 7518 §6.3.2, §6.2.2, RFC 8037 §2, RFC 7518 §6.4.1: what makes a JWK secret. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
const RSA_PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const OTHER_SECRET = 'another-secret-that-is-32-chars-or-more!!';
const NEW_SECRET = 'new-secret-of-at-least-32-characters-xx';

const uid = () => randomBytes(5).toString('hex');
const set = () => `set-${uid()}`;

function expectError(res: Answer, status: number, error: string): void {
  expect(res.status, res.text).to.equal(status);
  expect(res.headers.get('content-type')).to.match(/^application\/json/);
  expect(res.body).to.include({ error });
  expect((res.body as ErrorBody).error_description).to.be.a('string').and.not.equal('');
}

/** A private JWK made outside Tessera, as an operator importing a key would. */
async function makeJwk(alg: Alg, kid: string, use = 'sig'): Promise<JsonWebKey> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kty: jwk.kty ?? '', kid, alg, use };
}

/** The key signs, and its public part (all a verifier sees) verifies: the members belong together. */
async function expectWorkingKeyPair(jwk: JsonWebKey): Promise<void> {
  const privateKey = await importJWK(jwk as JWK, jwk.alg);
  const publicJwk = Object.fromEntries(Object.entries(jwk).filter(([m]) => !(PRIVATE_MEMBERS as readonly string[]).includes(m)));
  const jwt = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: jwk.alg, kid: jwk.kid }).sign(privateKey);
  const { payload } = await jwtVerify(jwt, await importJWK(publicJwk as JWK, jwk.alg));
  expect(payload.sub).to.equal('alice');
}

describeEachBackend('keys admin API', (backend) => {
  let db: Database;
  let t: Running;
  let conn: Connection;

  before(async () => {
    db = await backend.create();
    t = await startTessera(db);
    conn = connect(db.dsn);
  });
  after(async () => {
    await conn?.knex.destroy();
    await t?.stop();
    await db?.drop();
  });

  const api = <T = JsonWebKeySet>(method: string, path: string, json?: unknown) =>
    request<T>(t.adminUrl, method, path, json === undefined ? {} : { json });
  const kids = async (setId: string) => (await api('GET', `/admin/keys/${setId}`)).body.keys.map((k) => k.kid);
  const row = (setId: string, kid: string) => conn.knex<JwkRow>('jwks').where({ set_id: setId, kid }).first();

  it(`creates ${ID_TOKEN_SET} on first start: one RS256 sig key, 2048-bit, with its private members`, async () => {
    const res = await api('GET', `/admin/keys/${ID_TOKEN_SET}`);
    expect(res.status, res.text).to.equal(200);
    expect(res.headers.get('cache-control')).to.equal('private, no-cache, no-store, must-revalidate');
    expect(res.body.keys).to.have.length(1);
    const [key] = res.body.keys as [JsonWebKey];
    expect(key).to.include({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
    expect(key.kid).to.match(UUID);
    const modulus = Buffer.from(key.n ?? '', 'base64url');
    expect(modulus.length * 8).to.equal(2048);
    expect(modulus[0] ?? 0).to.be.at.least(0x80);
    for (const m of RSA_PRIVATE) expect(key[m], m).to.be.a('string').and.not.equal('');
    await expectWorkingKeyPair(key);

    // A later start on the same database keeps the set as it is.
    const again = await startTessera(db);
    await again.stop();
    expect(await kids(ID_TOKEN_SET)).to.deep.equal([key.kid]);
  });

  describe('POST /admin/keys/{set}', () => {
    const expected = { RS256: { kty: 'RSA' }, ES256: { kty: 'EC', crv: 'P-256' }, EdDSA: { kty: 'OKP', crv: 'Ed25519' } } as const;
    for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
      it(`generates a private ${alg} key (${JSON.stringify(expected[alg])})`, async () => {
        const setId = set();
        const res = await api('POST', `/admin/keys/${setId}`, { alg, kid: `k-${alg}`, use: 'sig' });
        expect(res.status, res.text).to.equal(201);
        expect(res.body.keys).to.have.length(1);
        const [key] = res.body.keys as [JsonWebKey];
        expect(key).to.include({ ...expected[alg], kid: `k-${alg}`, alg, use: 'sig' });
        const privateMembers = alg === 'RS256' ? RSA_PRIVATE : (['d'] as const);
        for (const m of privateMembers) expect(key[m], m).to.be.a('string').and.not.equal('');
        if (alg === 'RS256') expect(Buffer.from(key.n ?? '', 'base64url').length * 8).to.equal(2048);
        await expectWorkingKeyPair(key);
        expect((await api('GET', `/admin/keys/${setId}/k-${alg}`)).body).to.deep.equal({ keys: [key] });
      });
    }

    it('turns an empty or missing kid into a fresh UUID, defaults use to sig and honours use enc', async () => {
      const setId = set();
      const empty = await api('POST', `/admin/keys/${setId}`, { alg: 'ES256', kid: '' });
      const missing = await api('POST', `/admin/keys/${setId}`, { alg: 'ES256' });
      const enc = await api('POST', `/admin/keys/${setId}`, { alg: 'RS256', use: 'enc' });
      for (const res of [empty, missing, enc]) expect(res.status, res.text).to.equal(201);
      const [a, b, c] = [empty, missing, enc].map((r) => r.body.keys[0]);
      expect(a?.kid).to.match(UUID);
      expect(b?.kid).to.match(UUID);
      expect(a?.kid).not.to.equal(b?.kid);
      expect(a?.use).to.equal('sig');
      expect(c).to.include({ use: 'enc', kty: 'RSA' });
    });

    it('refuses a kid the set already has with 409 conflict; another set may use it', async () => {
      const [one, two] = [set(), set()];
      expect((await api('POST', `/admin/keys/${one}`, { alg: 'ES256', kid: 'same' })).status).to.equal(201);
      expectError(await api('POST', `/admin/keys/${one}`, { alg: 'EdDSA', kid: 'same' }), 409, 'conflict');
      expect((await api('POST', `/admin/keys/${two}`, { alg: 'ES256', kid: 'same' })).status).to.equal(201);
      expect(await kids(one)).to.deep.equal(['same']);
    });

    it('lists the set newest first', async () => {
      const setId = set();
      for (const kid of ['first', 'second', 'third']) {
        expect((await api('POST', `/admin/keys/${setId}`, { alg: 'EdDSA', kid })).status).to.equal(201);
      }
      expect(await kids(setId)).to.deep.equal(['third', 'second', 'first']);
    });
  });

  describe('GET, PUT and DELETE /admin/keys/{set}/{kid}', () => {
    it('PUT inserts a key, then replaces it; GET returns it whole', async () => {
      const setId = set();
      const first = await makeJwk('ES256', 'imported');
      const put = await api<JsonWebKey>('PUT', `/admin/keys/${setId}/imported`, first);
      expect(put.status, put.text).to.equal(200);
      expect(put.body).to.deep.equal(first);
      expect((await api('GET', `/admin/keys/${setId}/imported`)).body).to.deep.equal({ keys: [first] });

      const second = await makeJwk('RS256', 'imported');
      expect((await api('PUT', `/admin/keys/${setId}/imported`, second)).status).to.equal(200);
      expect((await api('GET', `/admin/keys/${setId}`)).body).to.deep.equal({ keys: [second] });
    });

    it('PUT accepts a public key alone and gives back no private members', async () => {
      const setId = set();
      const { d: _d, ...publicOnly } = await makeJwk('EdDSA', 'pub');
      expect((await api('PUT', `/admin/keys/${setId}/pub`, publicOnly)).status).to.equal(200);
      expect((await api('GET', `/admin/keys/${setId}/pub`)).body).to.deep.equal({ keys: [publicOnly] });
    });

    it('PUT refuses a body whose kid is not the path kid with 400', async () => {
      const setId = set();
      expectError(await api('PUT', `/admin/keys/${setId}/path-kid`, await makeJwk('ES256', 'body-kid')), 400, 'invalid_request');
      expectError(await api('GET', `/admin/keys/${setId}/path-kid`), 404, 'not_found');
      expectError(await api('GET', `/admin/keys/${setId}/body-kid`), 404, 'not_found');
    });

    it('PUT refuses a symmetric (oct) key with 400', async () => {
      const oct = { kty: 'oct', k: randomBytes(32).toString('base64url'), kid: 'sym', alg: 'HS256', use: 'sig' };
      expectError(await api('PUT', `/admin/keys/${set()}/sym`, oct), 400, 'invalid_request');
    });

    it('PUT refuses a private RSA key whose modulus is garbage (n: "abc") with 400', async () => {
      const setId = set();
      expectError(await api('PUT', `/admin/keys/${setId}/bad`, { ...(await makeJwk('RS256', 'bad')), n: 'abc' }), 400, 'invalid_request');
      expectError(await api('GET', `/admin/keys/${setId}`), 404, 'not_found');
    });

    it('PUT refuses a public RSA key whose modulus is garbage (n: "abc") with 400', async () => {
      const setId = set();
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicOnly } = await makeJwk('RS256', 'bad');
      expectError(await api('PUT', `/admin/keys/${setId}/bad`, { ...publicOnly, n: 'abc' }), 400, 'invalid_request');
      expectError(await api('GET', `/admin/keys/${setId}`), 404, 'not_found');
    });

    it('PUT refuses EC and OKP key material that is not on the curve with 400', async () => {
      const setId = set();
      expectError(await api('PUT', `/admin/keys/${setId}/ec`, { ...(await makeJwk('ES256', 'ec')), x: 'abc' }), 400, 'invalid_request');
      expectError(await api('PUT', `/admin/keys/${setId}/okp`, { ...(await makeJwk('EdDSA', 'okp')), x: 'abc' }), 400, 'invalid_request');
    });

    for (const member of ['kid', 'alg', 'use'] as const) {
      it(`PUT refuses a key without ${member} with 400`, async () => {
        const { [member]: _dropped, ...rest } = await makeJwk('ES256', 'k');
        expectError(await api('PUT', `/admin/keys/${set()}/k`, rest), 400, 'invalid_request');
      });
    }

    it('DELETE answers 204, then the key is 404; deleting the last key removes the set', async () => {
      const setId = set();
      for (const kid of ['a', 'b']) await api('POST', `/admin/keys/${setId}`, { alg: 'ES256', kid });
      const del = await api('DELETE', `/admin/keys/${setId}/a`);
      expect(del.status).to.equal(204);
      expect(del.text).to.equal('');
      expectError(await api('GET', `/admin/keys/${setId}/a`), 404, 'not_found');
      expectError(await api('DELETE', `/admin/keys/${setId}/a`), 404, 'not_found');
      expect(await kids(setId)).to.deep.equal(['b']);
      expect((await api('DELETE', `/admin/keys/${setId}/b`)).status).to.equal(204);
      expectError(await api('GET', `/admin/keys/${setId}`), 404, 'not_found');
    });
  });

  describe('PUT, GET and DELETE /admin/keys/{set}', () => {
    it('PUT replaces the whole set: keys not in the body are gone', async () => {
      const setId = set();
      for (const kid of ['old-a', 'old-b']) await api('POST', `/admin/keys/${setId}`, { alg: 'ES256', kid });
      const replacement = { keys: [await makeJwk('RS256', 'new-c'), await makeJwk('EdDSA', 'old-b')] };
      const res = await api('PUT', `/admin/keys/${setId}`, replacement);
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.deep.equal(replacement);
      const after = await api('GET', `/admin/keys/${setId}`);
      expect(after.body.keys.map((k) => k.kid).sort()).to.deep.equal(['new-c', 'old-b']);
      expect(after.body.keys.find((k) => k.kid === 'old-b')).to.deep.equal(replacement.keys[1]);
      expectError(await api('GET', `/admin/keys/${setId}/old-a`), 404, 'not_found');
    });

    it('PUT refuses duplicate kids (or any unusable key) with 400 and leaves the set as it was', async () => {
      const setId = set();
      await api('POST', `/admin/keys/${setId}`, { alg: 'ES256', kid: 'kept' });
      const dup = { keys: [await makeJwk('ES256', 'twice'), await makeJwk('EdDSA', 'twice')] };
      expectError(await api('PUT', `/admin/keys/${setId}`, dup), 400, 'invalid_request');
      const oct = { kty: 'oct', k: randomBytes(32).toString('base64url'), kid: 'sym', alg: 'HS256', use: 'sig' };
      expectError(await api('PUT', `/admin/keys/${setId}`, { keys: [await makeJwk('ES256', 'fine'), oct] }), 400, 'invalid_request');
      expect(await kids(setId)).to.deep.equal(['kept']);
    });

    it('DELETE answers 204 and takes the keys with it; again is 404', async () => {
      const setId = set();
      await api('POST', `/admin/keys/${setId}`, { alg: 'ES256', kid: 'k' });
      const del = await api('DELETE', `/admin/keys/${setId}`);
      expect(del.status).to.equal(204);
      expect(del.text).to.equal('');
      expectError(await api('GET', `/admin/keys/${setId}`), 404, 'not_found');
      expectError(await api('GET', `/admin/keys/${setId}/k`), 404, 'not_found');
      expectError(await api('DELETE', `/admin/keys/${setId}`), 404, 'not_found');
    });

    it('GET of an unknown set or key is 404 not_found', async () => {
      expectError(await api('GET', `/admin/keys/${set()}`), 404, 'not_found');
      expectError(await api('GET', `/admin/keys/${ID_TOKEN_SET}/no-such-kid`), 404, 'not_found');
    });
  });

  describe('bad input is a 4xx in the error shape, never a 500', () => {
    const json = (body: string) => ({ body, headers: { 'content-type': 'application/json' } });
    const cases: ReadonlyArray<[string, string, string, () => Promise<{ json?: unknown; body?: string; headers?: Record<string, string> }>, number?]> = [
      ['POST', '/admin/keys/bad-input', 'alg HS256', async () => ({ json: { alg: 'HS256' } })],
      ['POST', '/admin/keys/bad-input', 'alg none', async () => ({ json: { alg: 'none' } })],
      ['POST', '/admin/keys/bad-input', 'no alg', async () => ({ json: { kid: 'x' } })],
      ['POST', '/admin/keys/bad-input', 'use foo', async () => ({ json: { alg: 'RS256', use: 'foo' } })],
      ['POST', '/admin/keys/bad-input', 'a numeric kid', async () => ({ json: { alg: 'RS256', kid: 42 } })],
      ['POST', '/admin/keys/bad-input', 'a 256-character kid', async () => ({ json: { alg: 'ES256', kid: 'k'.repeat(256) } })],
      ['POST', '/admin/keys/bad-input', 'no body', async () => ({})],
      ['POST', '/admin/keys/bad-input', 'malformed JSON', async () => json('{"alg": ')],
      ['POST', '/admin/keys/bad-input', 'an array body', async () => ({ json: [{ alg: 'RS256' }] })],
      ['POST', '/admin/keys/bad-input', 'a null body', async () => json('null')],
      ['POST', '/admin/keys/bad-input', 'a text/plain body', async () => ({ body: 'alg=RS256', headers: { 'content-type': 'text/plain' } }), 415],
      ['PUT', '/admin/keys/bad-input', 'no body', async () => ({})],
      ['PUT', '/admin/keys/bad-input', 'malformed JSON', async () => json('{"keys": [')],
      ['PUT', '/admin/keys/bad-input', 'an array body', async () => ({ json: [await makeJwk('ES256', 'k')] })],
      ['PUT', '/admin/keys/bad-input', 'keys not an array', async () => ({ json: { keys: 'nope' } })],
      ['PUT', '/admin/keys/bad-input', 'a key without members', async () => ({ json: { keys: [{}] } })],
      ['PUT', '/admin/keys/bad-input', 'a key with alg none', async () => ({ json: { keys: [{ ...(await makeJwk('ES256', 'k')), alg: 'none' }] } })],
      ['PUT', '/admin/keys/bad-input/k', 'no body', async () => ({})],
      ['PUT', '/admin/keys/bad-input/k', 'malformed JSON', async () => json('{"kty": "EC",')],
      ['PUT', '/admin/keys/bad-input/k', 'an array body', async () => ({ json: [await makeJwk('ES256', 'k')] })],
      ['PUT', '/admin/keys/bad-input/k', 'use foo', async () => ({ json: { ...(await makeJwk('ES256', 'k')), use: 'foo' } })],
      ['PUT', '/admin/keys/bad-input/k', 'alg none', async () => ({ json: { ...(await makeJwk('ES256', 'k')), alg: 'none' } })],
      ['PUT', '/admin/keys/bad-input/k', 'alg HS256 on an RSA key', async () => ({ json: { ...(await makeJwk('RS256', 'k')), alg: 'HS256' } })],
      ['PUT', '/admin/keys/bad-input/k', 'alg ES256 on an RSA key', async () => ({ json: { ...(await makeJwk('RS256', 'k')), alg: 'ES256' } })],
    ];
    for (const [method, path, what, options, status = 400] of cases) {
      it(`${method} ${path}: ${what} → ${status}`, async () => {
        const res = await request(t.adminUrl, method, path, await options());
        expectError(res, status, status === 415 ? 'unsupported_media_type' : 'invalid_request');
      });
    }

    it('nothing was stored by the refused requests', async () => {
      expectError(await api('GET', '/admin/keys/bad-input'), 404, 'not_found');
    });

    it('a set name or kid longer than the 255 characters its column holds is never a 500', async () => {
      // SQLite does not enforce VARCHAR lengths, PostgreSQL does: either refuse (4xx) or store, never fail.
      const long = 's'.repeat(300);
      const post = await api('POST', `/admin/keys/${long}`, { alg: 'ES256' });
      expect(post.status, post.text).to.be.below(500);
      const put = await api('PUT', `/admin/keys/${set()}/${long}`, await makeJwk('ES256', long));
      expect(put.status, put.text).to.be.below(500);
    });
  });

  describe('at rest', () => {
    it('stores private members sealed (v1.…) and only public members in public_jwk', async () => {
      const setId = set();
      const [key] = (await api('POST', `/admin/keys/${setId}`, { alg: 'RS256', kid: 'sealed' })).body.keys as [JsonWebKey];
      const [initial] = (await api('GET', `/admin/keys/${ID_TOKEN_SET}`)).body.keys as [JsonWebKey];
      for (const [s, jwk] of [[setId, key], [ID_TOKEN_SET, initial]] as const) {
        const stored = await row(s, jwk.kid);
        expect(stored, `${s}/${jwk.kid}`).not.to.equal(undefined);
        expect(stored?.private_jwk).to.be.a('string').that.matches(/^v1\./);
        for (const m of RSA_PRIVATE) {
          const value = jwk[m] ?? '';
          expect(stored?.private_jwk).not.to.include(value);
          expect(stored?.private_jwk).not.to.include(Buffer.from(value, 'base64url').toString('base64'));
          expect(stored?.public_jwk).not.to.include(value);
        }
        const publicJwk = JSON.parse(stored?.public_jwk ?? '{}') as Record<string, unknown>;
        expect(publicJwk).to.include({ kty: 'RSA', n: jwk.n, e: jwk.e, kid: jwk.kid });
        for (const m of PRIVATE_MEMBERS) expect(publicJwk, m).not.to.have.property(m);
      }
    });

    it('a sealed key moved to another row does not open there (bound to set and kid)', async () => {
      const setId = set();
      const [a] = (await api('POST', `/admin/keys/${setId}`, { alg: 'ES256', kid: 'a' })).body.keys as [JsonWebKey];
      await api('POST', `/admin/keys/${setId}`, { alg: 'ES256', kid: 'b' });
      const sealedA = (await row(setId, 'a'))?.private_jwk;
      await conn.knex<JwkRow>('jwks').where({ set_id: setId, kid: 'b' }).update({ private_jwk: sealedA ?? null });
      const res = await api('GET', `/admin/keys/${setId}/b`);
      expect(res.status, res.text).not.to.equal(200);
      expect(res.text).not.to.include(a.d ?? '');
    });
  });
});

describeEachBackend('keys admin API: secrets.system changes', (backend) => {
  let db: Database;
  let t: Running | undefined;

  before(async () => {
    db = await backend.create();
  });
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  const start = async (system: string[]) => {
    await t?.stop();
    t = await startTessera(db, { secrets: { system } });
    return t;
  };
  const getKey = async (kid: string) => {
    if (!t) throw new Error('not started');
    return request<JsonWebKeySet>(t.adminUrl, 'GET', `/admin/keys/${ID_TOKEN_SET}/${kid}`);
  };

  /** README "System secret rotation": start-up refuses keys no configured secret opens, with one line, no key material. */
  const refusal = async (system: string[]): Promise<ConfigError> => {
    await t?.stop();
    t = undefined;
    const err: unknown = await startTessera(db, { secrets: { system } }).then(
      (running) => running.stop().then(() => undefined),
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ConfigError);
    return err as ConfigError;
  };

  it('a different secret cannot open the private keys: start-up refuses, naming the key but nothing of it; listing the old secret second opens them', async () => {
    const first = await start([TEST_SECRET]);
    const [original] = (await request<JsonWebKeySet>(first.adminUrl, 'GET', `/admin/keys/${ID_TOKEN_SET}`)).body.keys as [JsonWebKey];

    const refused = await refusal([OTHER_SECRET]);
    expect(refused.key).to.equal('secrets.system');
    expect(refused.reason).to.include(`${ID_TOKEN_SET}/${original.kid}`).and.not.include('\n');
    for (const m of RSA_PRIVATE) expect(refused.reason).not.to.include(original[m] ?? '');
    expect(refused.reason).not.to.include(OTHER_SECRET).and.not.include(TEST_SECRET);

    await start([NEW_SECRET, TEST_SECRET]);
    const rotated = await getKey(original.kid);
    expect(rotated.status, rotated.text).to.equal(200);
    expect(rotated.body).to.deep.equal({ keys: [original] });
  });

  it('after rotation, new keys are sealed with the first secret', async () => {
    const running = await start([NEW_SECRET, TEST_SECRET]);
    const created = await request<JsonWebKeySet>(running.adminUrl, 'POST', `/admin/keys/${ID_TOKEN_SET}`, { json: { alg: 'ES256', kid: 'after-rotation' } });
    expect(created.status, created.text).to.equal(201);

    // Only the key created under the new first secret is beyond the old one alone.
    const refused = await refusal([TEST_SECRET]);
    expect(refused.reason).to.match(new RegExp(`opens 1 stored private key\\(s\\) \\(${ID_TOKEN_SET.replace(/\./g, '\\.')}/after-rotation\\)`));
    await start([NEW_SECRET, TEST_SECRET]);
    expect((await getKey('after-rotation')).body).to.deep.equal(created.body);
  });
});
