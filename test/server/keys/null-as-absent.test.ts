import { expect } from 'chai';
import { describeEachBackend } from '../../helpers/databases.js';
import { useTessera, type Running } from '../../helpers/tessera.js';
import { request } from '../../helpers/http.js';

/*
 * `null` in JSON Web Key bodies, as Hydra reads them: in the create request
 * (jwk/handler.go `createJsonWebKeySetBody`, jwk/generate.go) a `null` kid or
 * use is empty, which Hydra turns into a UUID and "sig"; in a key (go-jose's
 * JSONWebKey) a `null` member is absent, whichever member it is. Required
 * members and wrong types are still refused, and then nothing is stored.
 */

type Key = Record<string, unknown>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

describeEachBackend('null is absent in key bodies', (backend) => {
  const harness = useTessera(backend);
  let t: Running;
  before(() => {
    t = harness.t;
  });

  const call = <T>(method: string, path: string, json?: unknown) => request<T>(t.adminUrl, method, path, json === undefined ? {} : { json });
  const publicOf = (key: Key): Key => Object.fromEntries(Object.entries(key).filter(([name]) => !PRIVATE.includes(name)));

  async function generated(set: string, json: Key): Promise<Key> {
    const res = await call<{ keys: Key[] }>('POST', `/admin/keys/${set}`, json);
    expect(res.status, `${JSON.stringify(json)} → ${res.text}`).to.equal(201);
    return res.body.keys[0] ?? {};
  }

  it('create: kid and use null → a UUID kid and "sig", as when left out', async () => {
    const nulled = await generated('nulls-create', { alg: 'ES256', kid: null, use: null });
    const plain = await generated('nulls-create', { alg: 'ES256' });
    for (const key of [nulled, plain]) {
      expect(key).to.include({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(key['kid']).to.match(UUID);
    }
    expect(Object.keys(nulled).sort()).to.deep.equal(Object.keys(plain).sort());
  });

  it('put one key: null members, private or unknown, are absent; the key stays public', async () => {
    const source = publicOf(await generated('nulls-source', { alg: 'ES256', kid: 'pub' }));
    const nulls = { d: null, p: null, q: null, dp: null, dq: null, qi: null, k: null, x5c: null, n: null, e: null, 'x5t#S256': null, key_ops: null };
    const res = await call<Key>('PUT', '/admin/keys/nulls-one/pub', { ...source, ...nulls });
    expect(res.status, res.text).to.equal(200);
    expect(res.body).to.deep.equal(source);
    const stored = await call<{ keys: Key[] }>('GET', '/admin/keys/nulls-one/pub');
    expect(stored.body.keys).to.deep.equal([source]);
  });

  it('put a set: the same for every key of it', async () => {
    const whole = await generated('nulls-source', { alg: 'EdDSA', kid: 'priv' });
    const res = await call<{ keys: Key[] }>('PUT', '/admin/keys/nulls-set', { keys: [{ ...whole, x5c: null, crv: whole['crv'], y: null }] });
    expect(res.status, res.text).to.equal(200);
    expect((await call<{ keys: Key[] }>('GET', '/admin/keys/nulls-set')).body.keys).to.deep.equal([whole]);
  });

  it('still refuses required members null and wrong types, storing nothing', async () => {
    const source = publicOf(await generated('nulls-source', { alg: 'ES256', kid: 'ref' }));
    const creates: Key[] = [{ alg: null }, { alg: 'ES256', kid: 5 }, { alg: 'ES256', use: 1 }, { alg: 'ES256', use: 'other' }];
    for (const json of creates) {
      const res = await call<{ error: string }>('POST', '/admin/keys/nulls-refused', json);
      expect(res.status, `${JSON.stringify(json)} → ${res.text}`).to.equal(400);
      expect(res.body.error).to.equal('invalid_request');
    }
    const keys: Key[] = [{ kty: null }, { kid: null }, { alg: null }, { use: null }, { x: 5 }, { x5c: 'cert' }, { crv: [] }];
    for (const member of keys) {
      const res = await call<{ error: string }>('PUT', '/admin/keys/nulls-refused/ref', { ...source, ...member });
      expect(res.status, `${JSON.stringify(member)} → ${res.text}`).to.equal(400);
      const set = await call('PUT', '/admin/keys/nulls-refused', { keys: [{ ...source, ...member }] });
      expect(set.status, `set ${JSON.stringify(member)} → ${set.text}`).to.equal(400);
    }
    expect((await call('GET', '/admin/keys/nulls-refused')).status).to.equal(404);
  });
});
