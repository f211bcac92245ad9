import { expect } from 'chai';
import { describeEachBackend } from '../../helpers/databases.js';
import { useTessera, type Running } from '../../helpers/tessera.js';
import { request } from '../../helpers/http.js';
import { expectError, expectPristinePrototype, get, NAMES, prototypeSnapshot, type Json } from './prototype-names-support.js';

/*
 * Issue 12, class 2, on the admin API: every Object.prototype member name as
 * a challenge, an id in the path, a query parameter, a JSON field value and
 * a JSON key (client metadata, JSON Patch pointers). Unknown ids are 404,
 * enumerations refuse the name, filters match nothing, free-form keys are
 * kept as keys (all but `__proto__`, which the contract schemas drop).
 */

const CLIENT = { grant_types: ['client_credentials'], scope: 'read' };

describeEachBackend('prototype names on the admin API', (backend) => {
  const harness = useTessera(backend);
  const snapshot = prototypeSnapshot();
  let t: Running;
  const admin = (method: string, path: string, json?: unknown) => request<Json>(t.adminUrl, method, path, json === undefined ? {} : { json });

  before(() => {
    t = harness.t;
  });
  after(() => expectPristinePrototype(snapshot));

  it('login, consent and logout challenges named after prototype members are unknown (404)', async () => {
    const accept: Record<string, unknown> = { login: { subject: 'user-1' }, consent: {}, logout: undefined };
    for (const name of NAMES) {
      for (const kind of ['login', 'consent', 'logout']) {
        const base = `/admin/oauth2/auth/requests/${kind}`;
        expectError(await get(t.adminUrl, base, { [`${kind}_challenge`]: name }), 404, 'not_found', `GET ${kind} ${name}`);
        expectError(await get(t.adminUrl, base, { challenge: name }), 404, 'not_found', `GET ${kind} ?challenge=${name}`);
        expectError(await admin('PUT', `${base}/accept?${kind}_challenge=${name}`, accept[kind]), 404, 'not_found', `accept ${kind} ${name}`);
        expectError(await admin('PUT', `${base}/reject?${kind}_challenge=${name}`, kind === 'logout' ? undefined : {}), 404, 'not_found', `reject ${kind} ${name}`);
      }
    }
  });

  it('client ids, key set ids and kids named after prototype members are unknown (404)', async () => {
    for (const name of NAMES) {
      expectError(await admin('GET', `/admin/clients/${name}`), 404, 'not_found', `GET client ${name}`);
      expectError(await admin('PUT', `/admin/clients/${name}`, CLIENT), 404, 'not_found', `PUT client ${name}`);
      expectError(await admin('PATCH', `/admin/clients/${name}`, []), 404, 'not_found', `PATCH client ${name}`);
      expectError(await admin('PUT', `/admin/clients/${name}/lifespans`, {}), 404, 'not_found', `lifespans ${name}`);
      expectError(await admin('DELETE', `/admin/clients/${name}`), 404, 'not_found', `DELETE client ${name}`);
      expectError(await admin('GET', `/admin/keys/${name}`), 404, 'not_found', `GET set ${name}`);
      expectError(await admin('GET', `/admin/keys/${name}/${name}`), 404, 'not_found', `GET key ${name}`);
      expectError(await admin('DELETE', `/admin/keys/${name}/${name}`), 404, 'not_found', `DELETE key ${name}`);
      expectError(await admin('DELETE', `/admin/keys/${name}`), 404, 'not_found', `DELETE set ${name}`);
    }
  });

  it('query parameters: filters match nothing, page tokens and enumerations are refused, unknown names are ignored', async () => {
    for (const name of NAMES) {
      for (const filter of ['client_name', 'owner', name]) {
        const res = await get(t.adminUrl, '/admin/clients', { [filter]: name });
        expect(res.status, `${filter}=${name}: ${res.text}`).to.equal(200);
      }
      expectError(await get(t.adminUrl, '/admin/clients', { page_token: name }), 400, 'invalid_request', `page_token=${name}`);
      expectError(await get(t.adminUrl, '/admin/clients', { page_size: name }), 400, 'invalid_request', `page_size=${name}`);
      const consents = await get(t.adminUrl, '/admin/oauth2/auth/sessions/consent', { subject: name, login_session_id: name });
      expect([consents.status, consents.body], name).to.deep.equal([200, []]);
      const sessions = '/admin/oauth2/auth/sessions';
      expectError(await admin('DELETE', `${sessions}/consent?subject=${name}&all=${name}`), 400, 'invalid_request', `all=${name}`);
      for (const path of [`consent?subject=${name}&client=${name}`, `consent?consent_request_id=${name}`, `login?subject=${name}`, `login?sid=${name}`]) {
        expect((await admin('DELETE', `${sessions}/${path}`)).status, path).to.equal(204);
      }
    }
  });

  it('client metadata: every enumerated field and every URI refuses a prototype name', async () => {
    const enums = ['token_endpoint_auth_method', 'subject_type', 'access_token_strategy', 'request_object_signing_alg', 'userinfo_signed_response_alg', 'token_endpoint_auth_signing_alg'];
    const uris = ['jwks_uri', 'client_uri', 'logo_uri', 'policy_uri', 'tos_uri', 'sector_identifier_uri', 'frontchannel_logout_uri', 'backchannel_logout_uri'];
    for (const name of NAMES) {
      for (const field of [...enums, ...uris]) {
        expectError(await admin('POST', '/admin/clients', { ...CLIENT, [field]: name }), 400, 'invalid_client_metadata', `${field}=${name}`);
      }
      for (const field of ['grant_types', 'response_types', 'request_uris', 'allowed_cors_origins']) {
        expectError(await admin('POST', '/admin/clients', { ...CLIENT, [field]: [name] }), 400, 'invalid_client_metadata', `${field}=[${name}]`);
      }
      for (const field of ['redirect_uris', 'post_logout_redirect_uris']) {
        expectError(await admin('POST', '/admin/clients', { ...CLIENT, [field]: [name] }), 400, 'invalid_redirect_uri', `${field}=[${name}]`);
      }
      expectError(await admin('POST', '/admin/clients', { ...CLIENT, client_credentials_grant_access_token_lifespan: name }), 400, 'invalid_request', `lifespan ${name}`);
      expectError(await admin('POST', '/admin/keys/some-set', { alg: name }), 400, 'invalid_request', `alg=${name}`);
      expectError(await admin('POST', '/admin/keys/some-set', { alg: 'ES256', use: name }), 400, 'invalid_request', `use=${name}`);
    }
  });

  it('client metadata: prototype names as top-level keys are ignored; as metadata keys they are kept; a __proto__ member is refused', async () => {
    const poisoned = await request<Json>(harness.t.adminUrl, 'POST', '/admin/clients', { body: '{"metadata":{"__proto__":{"polluted":true}}}', headers: { 'content-type': 'application/json' } });
    expectError(poisoned, 400, 'invalid_request', '__proto__ member');
    // JSON bodies may not carry a __proto__ member at all (http/body.ts); every other name is an ordinary key.
    const keyed = Object.fromEntries(NAMES.filter((n) => n !== '__proto__').map((n) => [n, n]));
    const res = await admin('POST', '/admin/clients', { ...CLIENT, ...keyed, client_name: 'constructor', owner: '__proto__', metadata: keyed });
    expect(res.status, res.text).to.equal(201);
    const stored = await admin('GET', `/admin/clients/${String(res.body['client_id'])}`);
    for (const body of [res.body, stored.body]) {
      expect(body).to.include({ client_name: 'constructor', owner: '__proto__' });
      for (const name of NAMES) expect(Object.hasOwn(body, name), name).to.equal(false);
      const metadata = body['metadata'] as Json;
      expect(Object.keys(metadata).sort()).to.deep.equal(NAMES.filter((n) => n !== '__proto__').sort());
    }
  });

  it('JSON Patch: pointers find only what the client document has, never an inherited member', async () => {
    const created = await admin('POST', '/admin/clients', { ...CLIENT, metadata: {} });
    const path = `/admin/clients/${String(created.body['client_id'])}`;
    for (const name of NAMES) {
      const refused = [
        [{ op: 'add', path: `/${name}/polluted`, value: 1 }],
        [{ op: 'add', path: `/metadata/${name}/polluted`, value: 1 }],
        [{ op: 'replace', path: `/metadata/${name}`, value: 'x' }],
        [{ op: 'remove', path: `/${name}` }],
        [{ op: 'copy', from: `/${name}`, path: '/client_name' }],
        [{ op: 'move', from: `/metadata/${name}`, path: '/client_name' }],
        [{ op: 'copy', from: `/redirect_uris/${name}`, path: '/client_name' }],
      ];
      for (const patch of refused) expectError(await admin('PATCH', path, patch), 400, 'invalid_request', `${name}: ${JSON.stringify(patch)}`);
      if (name === '__proto__') continue;
      const added = await admin('PATCH', path, [{ op: 'add', path: `/metadata/${name}`, value: name }]);
      expect(added.status, added.text).to.equal(200);
      expect(Object.hasOwn(added.body['metadata'] as object, name) && (added.body['metadata'] as Json)[name], name).to.equal(name);
    }
    const stored = await admin('GET', path);
    expect(Object.keys(stored.body['metadata'] as object).sort()).to.deep.equal(NAMES.filter((n) => n !== '__proto__').sort());
  });
});
