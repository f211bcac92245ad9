import { expect } from 'chai';
import { generateKeyPairSync } from 'node:crypto';
import { lifespanFields, OAuth2ClientInput } from '@tessera/sdk';
import { describeEachBackend } from '../../helpers/databases.js';
import { useTessera, type Running } from '../../helpers/tessera.js';
import { request, type Answer } from '../../helpers/http.js';

/*
 * `null` in client bodies (create, replace, patch, lifespans) is what Hydra's
 * Go structs make of it (client/client.go: encoding/json leaves the field at
 * its zero value; x.NullDuration and sqlxx.NullBool read it as unset; go-jose
 * reads a `null` JWK member, or `"keys": null`, as absent): the same client as
 * without the member. Every member of OAuth2ClientInput is tried, so a member
 * added later is covered too. A wrong type is still 400 and stores nothing.
 */

type Body = Record<string, unknown>;
type Client = Record<string, unknown>;

const ALL_LIFESPANS = Object.fromEntries(lifespanFields.map((f) => [f, '1h']));

/** A client with every member set (jwks is set apart: it excludes jwks_uri). */
const BASE: Body = {
  client_name: 'nulls',
  redirect_uris: ['https://rp.example.com/cb'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  scope: 'openid offline_access',
  audience: ['https://api.example.com'],
  owner: 'team-nulls',
  policy_uri: 'https://rp.example.com/policy',
  tos_uri: 'https://rp.example.com/tos',
  client_uri: 'https://rp.example.com',
  logo_uri: 'https://rp.example.com/logo.png',
  contacts: ['admin@rp.example.com'],
  allowed_cors_origins: ['https://rp.example.com'],
  request_uris: ['https://rp.example.com/request'],
  request_object_signing_alg: 'RS256',
  token_endpoint_auth_method: 'client_secret_post',
  token_endpoint_auth_signing_alg: 'RS256',
  userinfo_signed_response_alg: 'RS256',
  id_token_signed_response_alg: 'RS256',
  jwks_uri: 'https://rp.example.com/jwks.json',
  subject_type: 'public',
  sector_identifier_uri: 'https://rp.example.com/sector.json',
  post_logout_redirect_uris: ['https://rp.example.com/bye'],
  frontchannel_logout_uri: 'https://rp.example.com/fc',
  frontchannel_logout_session_required: true,
  backchannel_logout_uri: 'https://rp.example.com/bc',
  backchannel_logout_session_required: true,
  skip_consent: true,
  skip_logout_consent: true,
  require_pushed_authorization_requests: false,
  dpop_bound_access_tokens: false,
  allow_token_exchange_impersonation: false,
  access_token_strategy: 'opaque',
  access_token_signed_response_alg: 'RS256',
  metadata: { team: 'nulls' },
  client_secret_expires_at: 0,
  ...ALL_LIFESPANS,
};

const without = (body: Body, name: string): Body => Object.fromEntries(Object.entries(body).filter(([k]) => k !== name));

/** The client as answered, less what differs between any two clients. */
const view = ({ client_id: _i, client_secret: _s, created_at: _c, updated_at: _u, ...rest }: Client): Client => rest;

const publicJwk = (): Body => {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' };
};

describeEachBackend('null is absent in client bodies', (backend) => {
  const harness = useTessera(backend);
  let t: Running;

  before(() => {
    t = harness.t;
  });

  const call = (method: string, path: string, json: unknown) => request<Client>(t.adminUrl, method, path, { json });

  async function ok(method: string, path: string, json: unknown, status = 200): Promise<Client> {
    const res = await call(method, path, json);
    expect(res.status, `${method} ${path} ${JSON.stringify(json)} → ${res.text}`).to.equal(status);
    return res.body;
  }
  const create = async (json: Body) => view(await ok('POST', '/admin/clients', json, 201));
  const total = async () => Number((await request(t.adminUrl, 'GET', '/admin/clients')).headers.get('x-total-count'));

  it('covers every member of the client input', () => {
    const members = Object.keys(OAuth2ClientInput.shape).filter((m) => !['client_id', 'client_secret', 'jwks'].includes(m));
    expect(Object.keys(BASE)).to.have.members(members);
  });

  it('create: each member null → the client created without it', async () => {
    for (const name of [...Object.keys(OAuth2ClientInput.shape)]) {
      expect(await create({ ...BASE, [name]: null }), name).to.deep.equal(await create(without(BASE, name)));
    }
  });

  it('replace (PUT): each member null → the client replaced without it', async () => {
    const { client_id: a } = await ok('POST', '/admin/clients', BASE, 201);
    const { client_id: b } = await ok('POST', '/admin/clients', BASE, 201);
    for (const name of Object.keys(OAuth2ClientInput.shape).filter((m) => m !== 'client_id')) {
      const nulled = view(await ok('PUT', `/admin/clients/${String(a)}`, { ...BASE, [name]: null }));
      expect(nulled, name).to.deep.equal(view(await ok('PUT', `/admin/clients/${String(b)}`, without(BASE, name))));
      expect(view(await ok('GET', `/admin/clients/${String(a)}`, undefined)), `${name} as stored`).to.deep.equal(nulled);
    }
  });

  it('lifespans (PUT …/lifespans): each null → unset, as if left out', async () => {
    const { client_id: a } = await ok('POST', '/admin/clients', BASE, 201);
    const { client_id: b } = await ok('POST', '/admin/clients', BASE, 201);
    for (const name of lifespanFields) {
      const nulled = await ok('PUT', `/admin/clients/${String(a)}/lifespans`, { ...ALL_LIFESPANS, [name]: null });
      expect(nulled[name], name).to.equal(null);
      expect(view(nulled), name).to.deep.equal(view(await ok('PUT', `/admin/clients/${String(b)}/lifespans`, without(ALL_LIFESPANS, name))));
    }
  });

  it('patch: `from: null` is no `from`; a member replaced by null is a member removed', async () => {
    const { client_id: a } = await ok('POST', '/admin/clients', BASE, 201);
    const { client_id: b } = await ok('POST', '/admin/clients', BASE, 201);
    const patch = (id: unknown, ops: Body[]) => ok('PATCH', `/admin/clients/${String(id)}`, ops);
    expect(view(await patch(a, [{ op: 'replace', path: '/client_name', value: 'patched', from: null }]))).to.deep.equal(
      view(await patch(b, [{ op: 'replace', path: '/client_name', value: 'patched' }])),
    );
    for (const name of ['contacts', 'metadata', 'jwks_uri', 'skip_consent']) {
      expect(view(await patch(a, [{ op: 'replace', path: `/${name}`, value: null }])), name).to.deep.equal(view(await patch(b, [{ op: 'remove', path: `/${name}` }])));
    }
  });

  it('jwks: null key members are absent (the key stays public); `"keys": null` is an empty set', async () => {
    const key = publicJwk();
    const plain = { ...without(without(BASE, 'jwks_uri'), 'token_endpoint_auth_method'), token_endpoint_auth_method: 'private_key_jwt' };
    const nulled = await create({ ...plain, jwks: { keys: [{ ...key, d: null, x5c: null, 'x5t#S256': null }] } });
    expect(nulled['jwks']).to.deep.equal({ keys: [key] });
    expect(nulled).to.deep.equal(await create({ ...plain, jwks: { keys: [key] } }));
    const kidless = await create({ ...plain, jwks: { keys: [{ ...without(key, 'kid'), kid: null, alg: null, use: null }] } });
    expect(kidless['jwks']).to.deep.equal({ keys: [without(without(without(key, 'kid'), 'alg'), 'use')] });
    const noJwksUri = without(BASE, 'jwks_uri');
    expect(await create({ ...noJwksUri, jwks: { keys: null } })).to.deep.equal(await create({ ...noJwksUri, jwks: {} }));
  });

  const wrong: Body[] = [
    { redirect_uris: 'https://rp.example.com/cb' }, { grant_types: [null] }, { scope: ['openid'] }, { metadata: 'x' }, { metadata: [] },
    { skip_consent: 'true' }, { client_secret_expires_at: '0' }, { authorization_code_grant_access_token_lifespan: 3600 },
    { jwks: { keys: [{ kty: 'EC', kid: 5 }] } }, { jwks: 'x' }, { client_name: 5 }, { frontchannel_logout_session_required: 1 },
  ];

  it('still refuses a wrong type with 400 naming the member, creating and changing nothing', async () => {
    const { client_id: id } = await ok('POST', '/admin/clients', BASE, 201);
    const before = await ok('GET', `/admin/clients/${String(id)}`, undefined);
    const count = await total();
    for (const body of wrong) {
      const name = Object.keys(body)[0] ?? '';
      for (const [method, path] of [['POST', '/admin/clients'], ['PUT', `/admin/clients/${String(id)}`]] as const) {
        const res: Answer<Body> = await call(method, path, { ...without(BASE, name), ...body });
        expect(res.status, `${method} ${JSON.stringify(body)} → ${res.text}`).to.equal(400);
        expect(res.body['error']).to.equal('invalid_request');
        expect(String(res.body['error_description'])).to.contain(name);
      }
    }
    const lifespan = await call('PUT', `/admin/clients/${String(id)}/lifespans`, { refresh_token_grant_access_token_lifespan: 60 });
    expect(lifespan.status, lifespan.text).to.equal(400);
    const patch = await call('PATCH', `/admin/clients/${String(id)}`, [{ op: 'copy', path: '/client_name', from: 5 }]);
    expect(patch.status, patch.text).to.equal(400);
    expect(await total()).to.equal(count);
    expect(await ok('GET', `/admin/clients/${String(id)}`, undefined)).to.deep.equal(before);
  });
});
