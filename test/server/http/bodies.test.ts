import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { describeEachBackend } from '../../helpers/databases.js';
import { useTessera } from '../../helpers/tessera.js';
import { basic, createClient, type CreatedClient } from '../../helpers/clients.js';
import { rawRequest, type RawAnswer } from '../../helpers/raw-http.js';
import { connect } from '../../../server/src/storage/knex/index.js';

/*
 * Request bodies on every route that takes one (issue 21, and issue 12's
 * classes 4 and 6): forms only where the contract says form, JSON only where
 * it says JSON, 415 for anything else (no Content-Type included: invalid_request
 * on the OAuth endpoints, unsupported_media_type on the admin API), OAuth's form
 * rules (no repeats, no nested objects, no prototype names), NUL and invalid
 * UTF-8 refused, and never a row written for a refused body.
 */

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/** Every route reading a form: koa's path, and the fast lane's exact path where there is one. */
const FORM_ROUTES: ReadonlyArray<{ port: 'public' | 'admin'; path: string }> = [
  { port: 'public', path: '/oauth2/token' },
  { port: 'public', path: '/oauth2/token/' },
  { port: 'public', path: '/oauth2/revoke' },
  { port: 'public', path: '/oauth2/auth' },
  { port: 'public', path: '/oauth2/sessions/logout' },
  { port: 'public', path: '/userinfo' },
  { port: 'admin', path: '/admin/oauth2/introspect' },
  { port: 'admin', path: '/admin/oauth2/introspect/' },
];

/** Every route reading JSON (PUT or POST or PATCH), with a path that reaches the body. */
const JSON_ROUTES: ReadonlyArray<{ method: string; path: string }> = [
  { method: 'POST', path: '/admin/clients' },
  { method: 'PUT', path: '/admin/clients/some-client' },
  { method: 'PATCH', path: '/admin/clients/some-client' },
  { method: 'PUT', path: '/admin/clients/some-client/lifespans' },
  { method: 'POST', path: '/admin/keys/some-set' },
  { method: 'PUT', path: '/admin/keys/some-set' },
  { method: 'PUT', path: '/admin/keys/some-set/some-kid' },
  { method: 'PUT', path: '/admin/oauth2/auth/requests/login/accept?login_challenge=x' },
  { method: 'PUT', path: '/admin/oauth2/auth/requests/login/reject?login_challenge=x' },
  { method: 'PUT', path: '/admin/oauth2/auth/requests/consent/accept?consent_challenge=x' },
  { method: 'PUT', path: '/admin/oauth2/auth/requests/consent/reject?consent_challenge=x' },
];

function expectError(answer: RawAnswer, status: number, error: string, description?: RegExp): void {
  expect(answer.status, answer.text).to.equal(status);
  expect(answer.json, answer.text).to.include({ error });
  expect(answer.json?.['error_description']).to.be.a('string');
  if (description) expect(answer.json?.['error_description']).to.match(description);
  expect(answer.text).not.to.match(/\bat \S+ \(|node:|\.ts:\d/);
}

describeEachBackend('request bodies', (backend) => {
  const harness = useTessera(backend);
  let client: CreatedClient;
  const base = (port: 'public' | 'admin') => (port === 'public' ? harness.t.publicUrl : harness.t.adminUrl);

  /** Rows in every table of the schema: nothing a refused body may change. */
  async function rowCounts(): Promise<Record<string, number>> {
    const { knex } = connect(harness.db.dsn);
    try {
      const tables = harness.db.dsn.startsWith('sqlite')
        ? ((await knex.raw("select name from sqlite_master where type = 'table'")) as Array<{ name: string }>).map((r) => r.name)
        : ((await knex.raw('select tablename as name from pg_tables where schemaname = current_schema()')) as { rows: Array<{ name: string }> }).rows.map((r) => r.name);
      const counts: Record<string, number> = {};
      for (const table of tables.sort()) {
        const [row] = (await knex(table).count({ n: '*' })) as Array<{ n: number | string }>;
        counts[table] = Number(row?.n);
      }
      return counts;
    } finally {
      await knex.destroy();
    }
  }

  before(async () => {
    client = await createClient(harness.t.adminUrl, { grant_types: ['client_credentials'], scope: 'read' });
  });

  describe('form routes', () => {
    const refusals: ReadonlyArray<[string, { headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean }, number, string]> = [
      ['a JSON body', { headers: { 'content-type': JSON_TYPE }, body: '{"grant_type":"client_credentials"}' }, 415, 'invalid_request'],
      ['a body without Content-Type', { body: 'grant_type=client_credentials' }, 415, 'invalid_request'],
      ['a chunked body without Content-Type', { body: 'grant_type=client_credentials', chunked: true }, 415, 'invalid_request'],
      ['text/plain', { headers: { 'content-type': 'text/plain' }, body: 'grant_type=client_credentials' }, 415, 'invalid_request'],
      ['a gzip body', { headers: { 'content-type': FORM, 'content-encoding': 'gzip' }, body: gzipSync('grant_type=client_credentials') }, 415, 'invalid_request'],
      ['a repeated parameter', { headers: { 'content-type': FORM }, body: 'client_id=a&client_id=b' }, 400, 'invalid_request'],
      ['an encoded NUL', { headers: { 'content-type': FORM }, body: 'client_id=a%00b' }, 400, 'invalid_request'],
      ['an encoded byte that is not UTF-8', { headers: { 'content-type': FORM }, body: 'client_id=%FF' }, 400, 'invalid_request'],
      ['an encoded lone surrogate', { headers: { 'content-type': FORM }, body: 'client_id=%ED%A0%80' }, 400, 'invalid_request'],
      ['raw bytes that are not UTF-8', { headers: { 'content-type': FORM }, body: Buffer.from([0x63, 0x3d, 0xc3, 0x28]) }, 400, 'invalid_request'],
      ['a body over 100 KB', { headers: { 'content-type': FORM }, body: `pad=${'x'.repeat(101 * 1024)}` }, 413, 'request_entity_too_large'],
      ['a chunked body over 100 KB', { headers: { 'content-type': FORM }, body: `pad=${'x'.repeat(101 * 1024)}`, chunked: true }, 413, 'request_entity_too_large'],
    ];
    for (const { port, path } of FORM_ROUTES) {
      for (const [what, options, status, error] of refusals) {
        it(`POST ${path}: ${what} is a ${status} ${error}, and writes nothing`, async () => {
          const before = await rowCounts();
          expectError(await rawRequest(base(port), 'POST', path, options), status, error);
          expect(await rowCounts()).to.deep.equal(before);
        });
      }
    }

    it('bracket syntax is a plain name, never an object, and prototype names are plain names', async () => {
      const auth = { authorization: basic(client.client_id, client.client_secret), 'content-type': FORM };
      for (const path of ['/oauth2/token', '/oauth2/token/']) {
        // qs would read grant_type[x] as { x: … }; here it is a parameter nobody asked for, and grant_type is missing.
        const nested = await rawRequest(harness.t.publicUrl, 'POST', path, { headers: auth, body: 'grant_type[x]=client_credentials' });
        expectError(nested, 400, 'invalid_request', /grant_type/);
        for (const name of ['__proto__', 'constructor', 'hasOwnProperty', 'toString']) {
          const answer = await rawRequest(harness.t.publicUrl, 'POST', path, { headers: auth, body: `${name}=x&grant_type=client_credentials` });
          expect(answer.status, `${name}: ${answer.text}`).to.equal(200);
          expect(answer.json).to.have.property('access_token');
        }
      }
    });

    it('Basic credentials carrying NUL or bytes that are not UTF-8 are invalid_client, on both paths', async () => {
      const credentials = [Buffer.from('a\0b:secret'), Buffer.from('a%00b:secret'), Buffer.from([0x61, 0xff, 0x3a, 0x62]), Buffer.from('id:se%00cret')];
      for (const path of ['/oauth2/token', '/oauth2/token/', '/oauth2/revoke']) {
        for (const raw of credentials) {
          const answer = await rawRequest(harness.t.publicUrl, 'POST', path, {
            headers: { 'content-type': FORM, authorization: `Basic ${raw.toString('base64')}` },
            body: path === '/oauth2/revoke' ? 'token=x' : 'grant_type=client_credentials',
          });
          expectError(answer, 401, 'invalid_client');
        }
      }
    });
  });

  describe('JSON routes', () => {
    const refusals: ReadonlyArray<[string, { headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean }, number, string, RegExp?]> = [
      ['a body without Content-Type (a cross-site fetch with a Blob)', { body: '{}' }, 415, 'unsupported_media_type', /application\/json/],
      ['text/plain', { headers: { 'content-type': 'text/plain' }, body: '{}' }, 415, 'unsupported_media_type'],
      ['a form', { headers: { 'content-type': FORM }, body: 'a=b' }, 415, 'unsupported_media_type'],
      ['a gzip body', { headers: { 'content-type': JSON_TYPE, 'content-encoding': 'gzip' }, body: gzipSync('{}') }, 415, 'unsupported_media_type'],
      ['malformed JSON', { headers: { 'content-type': JSON_TYPE }, body: '{"a":' }, 400, 'invalid_request', /not valid JSON: the body ends before the JSON does/],
      // Found in review: V8's message quoted a slice of the body into error_description.
      ['malformed JSON around a secret', { headers: { 'content-type': JSON_TYPE }, body: '{"client_secret": "s3cret-value-0123456789", x, "z": 1}' }, 400, 'invalid_request', /^(?!.*s3cret).*not valid JSON: malformed JSON/],
      ['a JSON string (strict: objects and arrays only)', { headers: { 'content-type': JSON_TYPE }, body: '"x"' }, 400, 'invalid_request', /object or array/],
      ['a __proto__ member', { headers: { 'content-type': JSON_TYPE }, body: '{"__proto__":{"x":1}}' }, 400, 'invalid_request', /__proto__/],
      ['an escaped NUL', { headers: { 'content-type': JSON_TYPE }, body: '{"client_name":"a\\u0000b"}' }, 400, 'invalid_request', /NUL/],
      ['an escaped NUL in a member name', { headers: { 'content-type': JSON_TYPE }, body: '{"a\\u0000":1}' }, 400, 'invalid_request', /NUL/],
      ['a lone surrogate', { headers: { 'content-type': JSON_TYPE }, body: '{"client_name":"\\ud800"}' }, 400, 'invalid_request', /UTF-8/],
      ['raw bytes that are not UTF-8', { headers: { 'content-type': JSON_TYPE }, body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]) }, 400, 'invalid_request'],
      // Found in review: 50,000 nested arrays overflowed the stack of a recursive walk (500).
      ['arrays nested 50,000 deep', { headers: { 'content-type': JSON_TYPE }, body: `${'['.repeat(50_000)}${']'.repeat(50_000)}` }, 400, 'invalid_request', /nest at most 64/],
      ['objects nested 15,000 deep', { headers: { 'content-type': JSON_TYPE }, body: `${'{"a":'.repeat(15_000)}1${'}'.repeat(15_000)}` }, 400, 'invalid_request', /nest at most 64/],
      ['a body over 100 KB', { headers: { 'content-type': JSON_TYPE }, body: `{"a":"${'x'.repeat(101 * 1024)}"}` }, 413, 'request_entity_too_large'],
      ['a chunked body over 100 KB', { headers: { 'content-type': JSON_TYPE }, body: `{"a":"${'x'.repeat(101 * 1024)}"}`, chunked: true }, 413, 'request_entity_too_large'],
    ];
    for (const { method, path } of JSON_ROUTES) {
      for (const [what, options, status, error, description] of refusals) {
        it(`${method} ${path}: ${what} is a ${status} ${error}, and writes nothing`, async () => {
          const before = await rowCounts();
          expectError(await rawRequest(harness.t.adminUrl, method, path, options), status, error, description);
          expect(await rowCounts()).to.deep.equal(before);
        });
      }
    }

    it('accepts application/json with a charset and application/*+json, and an empty body means a missing one', async () => {
      const created = await rawRequest(harness.t.adminUrl, 'POST', '/admin/clients', {
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ client_name: 'ünïcödé 😀', grant_types: ['client_credentials'] }),
      });
      expect(created.status, created.text).to.equal(201);
      expect(created.json?.['client_name']).to.equal('ünïcödé 😀');
      const id = String(created.json?.['client_id']);
      const patched = await rawRequest(harness.t.adminUrl, 'PATCH', `/admin/clients/${id}`, {
        headers: { 'content-type': 'application/json-patch+json' },
        body: JSON.stringify([{ op: 'replace', path: '/client_name', value: 'patched' }]),
      });
      expect(patched.status, patched.text).to.equal(200);
      expect(patched.json?.['client_name']).to.equal('patched');
      // 63 levels below the body itself are fine (MAX_JSON_DEPTH is 64).
      const nested = JSON.parse(`${'{"a":'.repeat(62)}1${'}'.repeat(62)}`) as unknown;
      const deep = await rawRequest(harness.t.adminUrl, 'POST', '/admin/clients', { headers: { 'content-type': JSON_TYPE }, body: JSON.stringify({ metadata: nested }) });
      expect(deep.status, deep.text).to.equal(201);
      for (const chunked of [false, true]) {
        const empty = await rawRequest(harness.t.adminUrl, 'POST', '/admin/clients', { headers: { 'content-type': JSON_TYPE }, body: '', chunked });
        expectError(empty, 400, 'invalid_request', /client is missing/);
      }
    });
  });

  describe('the URL', () => {
    const bad = [
      ['GET', '/admin/oauth2/auth/requests/login?login_challenge=%FF'],
      ['GET', '/admin/oauth2/auth/requests/login?login_challenge=%ED%A0%80'],
      ['GET', '/admin/oauth2/auth/requests/login?login_challenge=a%00'],
      ['GET', '/admin/clients/a%00b'],
      ['DELETE', '/admin/oauth2/auth/sessions/consent?subject=%FF&all=true'],
      // Found in review: an undecodable segment hid a NUL in the next one (PostgreSQL answered 500).
      ['GET', '/admin/keys/%FF/%00'],
      ['GET', '/admin/keys/%FF/a%00b'],
      ['DELETE', '/admin/keys/%FF/%00'],
      ['PUT', '/admin/keys/%zz/%00'],
    ] as const;
    for (const [method, path] of bad) {
      it(`${method} ${path} is a 400 invalid_request`, async () => {
        expectError(await rawRequest(harness.t.adminUrl, method, path), 400, 'invalid_request');
      });
    }
    it('an undecodable path segment stays its ASCII text: 404, not a 500', async () => {
      for (const path of ['/admin/clients/%ED%A0%80', '/admin/clients/%C0', '/admin/clients/%zz']) {
        expectError(await rawRequest(harness.t.adminUrl, 'GET', path), 404, 'not_found');
      }
    });
    it('GET /oauth2/auth with a parameter that is not UTF-8 is refused before any flow is written', async () => {
      const before = await rowCounts();
      const answer = await rawRequest(harness.t.publicUrl, 'GET', `/oauth2/auth?client_id=${client.client_id}&state=%FF`);
      expect(answer.status).to.equal(400);
      expect(await rowCounts()).to.deep.equal(before);
    });
  });
});
