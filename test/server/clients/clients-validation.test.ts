import { expect } from 'chai';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { OAuth2Client } from '@tessera/sdk';
import { describeEachBackend, type Database } from '../../helpers/databases.js';
import { startTessera, type Running } from '../../helpers/tessera.js';
import { request, type Answer } from '../../helpers/http.js';

/*
 * Bad input on every /admin/clients endpoint: always a 4xx in Hydra's error
 * shape, naming the field, never a 500 and never a half-written client.
 * README "Admin API → Clients" lists the rules; RFC 7591 §3.2.2 names the
 * codes (invalid_client_metadata, invalid_redirect_uri), malformed bodies
 * are invalid_request.
 */

interface ErrorBody {
  error: string;
  error_description: string;
}

interface BadCase {
  readonly name: string;
  readonly body: unknown;
  readonly error: 'invalid_request' | 'invalid_client_metadata' | 'invalid_redirect_uri';
  /** What error_description must mention. */
  readonly field?: string;
}

const uid = () => randomBytes(5).toString('hex');
const cb = ['https://app.example.com/cb'];

function expectError(res: Answer, status: number, error: string, field?: string): void {
  expect(res.status, res.text).to.equal(status);
  expect(res.headers.get('content-type')).to.match(/^application\/json/);
  expect(res.body).to.include({ error });
  const description = (res.body as ErrorBody).error_description;
  expect(description).to.be.a('string').and.not.equal('');
  if (field !== undefined) expect(description).to.include(field);
}

/**
 * For limits the README leaves open (length, NUL): a 400 in the error shape,
 * whichever of the two codes the server picks; never a 500.
 */
function expectRefused(res: Answer, field?: string): void {
  expect(res.status, res.text).to.equal(400);
  expect((res.body as ErrorBody).error).to.be.oneOf(['invalid_request', 'invalid_client_metadata']);
  expectError(res, 400, (res.body as ErrorBody).error, field);
}

function privateJwk(): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...privateKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' };
}

const publicJwks = () => {
  const { d: _d, ...pub } = privateJwk();
  return { keys: [pub] };
};

/** Client bodies every create and replace must refuse. */
const metadataCases = (): BadCase[] => [
  { name: 'a redirect URI with a fragment', body: { redirect_uris: ['https://app.example.com/cb#frag'] }, error: 'invalid_redirect_uri', field: 'redirect_uris' },
  { name: 'a relative redirect URI', body: { redirect_uris: ['/cb'] }, error: 'invalid_redirect_uri', field: 'redirect_uris' },
  { name: 'a javascript: redirect URI', body: { redirect_uris: ['javascript:alert(1)'] }, error: 'invalid_redirect_uri', field: 'redirect_uris' },
  { name: 'a JavaScript: redirect URI in mixed case', body: { redirect_uris: ['JavaScript:alert(1)//'] }, error: 'invalid_redirect_uri', field: 'redirect_uris' },
  { name: 'a data: redirect URI', body: { redirect_uris: ['data:text/html,<script>alert(1)</script>'] }, error: 'invalid_redirect_uri', field: 'redirect_uris' },
  { name: 'an http redirect URI to a non-loopback host', body: { redirect_uris: ['http://app.example.com/cb'] }, error: 'invalid_redirect_uri', field: 'redirect_uris' },
  { name: 'an http redirect URI to a host that only starts like localhost', body: { redirect_uris: ['http://localhost.evil.example/cb'] }, error: 'invalid_redirect_uri', field: 'redirect_uris' },
  // RFC 3986 §2 allows no whitespace or control characters; the WHATWG parser strips them silently, so the stored value is not the one checked.
  { name: 'a redirect URI with surrounding whitespace', body: { redirect_uris: [' https://app.example.com/cb'] }, error: 'invalid_redirect_uri', field: 'redirect_uris' },
  { name: 'a redirect URI ending in a line break', body: { redirect_uris: ['https://app.example.com/cb\n'] }, error: 'invalid_redirect_uri', field: 'redirect_uris' },
  { name: 'a post-logout redirect URI with a fragment', body: { post_logout_redirect_uris: ['https://app.example.com/bye#x'] }, error: 'invalid_redirect_uri', field: 'post_logout_redirect_uris' },
  { name: 'an unknown grant type', body: { grant_types: ['authorization_code', 'password'] }, error: 'invalid_client_metadata', field: 'grant_types' },
  { name: 'the implicit grant without a response type that uses it', body: { grant_types: ['implicit'] }, error: 'invalid_client_metadata', field: 'grant_types' },
  { name: 'response type token without the implicit grant', body: { response_types: ['code', 'token'] }, error: 'invalid_client_metadata', field: 'response_types' },
  { name: 'an unknown response type', body: { response_types: ['code', 'code token bogus'] }, error: 'invalid_client_metadata', field: 'response_types' },
  { name: 'response type token', body: { response_types: ['token'] }, error: 'invalid_client_metadata', field: 'response_types' },
  { name: 'response type "code id_token"', body: { response_types: ['code id_token'] }, error: 'invalid_client_metadata', field: 'response_types' },
  { name: 'response type code without the authorization_code grant', body: { grant_types: ['client_credentials'], response_types: ['code'] }, error: 'invalid_client_metadata', field: 'response_types' },
  { name: 'an unknown token_endpoint_auth_method', body: { token_endpoint_auth_method: 'magic' }, error: 'invalid_client_metadata', field: 'token_endpoint_auth_method' },
  { name: 'auth method none with a client_secret', body: { token_endpoint_auth_method: 'none', client_secret: 'a-secret-123' }, error: 'invalid_client_metadata', field: 'client_secret' },
  { name: 'private_key_jwt without jwks or jwks_uri', body: { token_endpoint_auth_method: 'private_key_jwt' }, error: 'invalid_client_metadata', field: 'jwks' },
  {
    name: 'both jwks and jwks_uri',
    body: { token_endpoint_auth_method: 'private_key_jwt', jwks: publicJwks(), jwks_uri: 'https://app.example.com/jwks.json' },
    error: 'invalid_client_metadata',
    field: 'jwks',
  },
  { name: 'jwks holding a private key', body: { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [privateJwk()] } }, error: 'invalid_client_metadata', field: 'jwks' },
  { name: 'subject_type pairwise when only public is enabled', body: { subject_type: 'pairwise' }, error: 'invalid_client_metadata', field: 'subject_type' },
  { name: 'a scope with a double quote', body: { scope: 'openid "profile"' }, error: 'invalid_client_metadata', field: 'scope' },
  { name: 'a scope with a backslash', body: { scope: 'openid a\\b' }, error: 'invalid_client_metadata', field: 'scope' },
  { name: 'a client_secret shorter than 6 characters', body: { client_secret: 'abc12' }, error: 'invalid_client_metadata', field: 'client_secret' },
  { name: 'an allowed CORS origin with a path', body: { allowed_cors_origins: ['https://app.example.com/'] }, error: 'invalid_client_metadata', field: 'allowed_cors_origins' },
  { name: 'redirect_uris as a string', body: { redirect_uris: 'https://app.example.com/cb' }, error: 'invalid_request', field: 'redirect_uris' },
  { name: 'redirect_uris holding a number', body: { redirect_uris: [42] }, error: 'invalid_request', field: 'redirect_uris' },
  { name: 'skip_consent as "yes"', body: { skip_consent: 'yes' }, error: 'invalid_request', field: 'skip_consent' },
  { name: 'metadata as an array', body: { metadata: ['a'] }, error: 'invalid_request', field: 'metadata' },
  { name: 'a lifespan that is not a duration', body: { client_credentials_grant_access_token_lifespan: 'forever' }, error: 'invalid_request', field: 'client_credentials_grant_access_token_lifespan' },
  { name: 'a JSON array as the body', body: [{ client_name: 'x' }], error: 'invalid_request' },
  { name: 'a JSON string as the body', body: 'client', error: 'invalid_request' },
];

describeEachBackend('clients admin API: bad input', (backend) => {
  let db: Database;
  let t: Running;

  before(async () => {
    db = await backend.create();
    t = await startTessera(db);
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  const api = <T = OAuth2Client>(method: string, path: string, json?: unknown) => request<T>(t.adminUrl, method, path, json === undefined ? {} : { json });
  const made = async (): Promise<OAuth2Client> => {
    const res = await api('POST', '/admin/clients', { client_name: 'kept', redirect_uris: cb, contacts: ['a@example.com'] });
    expect(res.status, res.text).to.equal(201);
    return res.body;
  };
  /** The stored client, compared whole (updated_at included) to prove a refused write changed nothing. */
  const stored = async (id: string) => (await api('GET', `/admin/clients/${encodeURIComponent(id)}`)).body;

  describe('POST /admin/clients', () => {
    for (const c of metadataCases()) {
      it(`refuses ${c.name} (${c.error}) and stores nothing`, async () => {
        const id = `bad-${uid()}`;
        const isObject = typeof c.body === 'object' && c.body !== null && !Array.isArray(c.body);
        const body = isObject ? { client_id: id, redirect_uris: cb, ...(c.body as object) } : c.body;
        expectError(await api('POST', '/admin/clients', body), 400, c.error, c.field);
        expectError(await api('GET', `/admin/clients/${id}`), 404, 'not_found');
      });
    }

    it('refuses an empty body', async () => {
      expectError(await request(t.adminUrl, 'POST', '/admin/clients', { headers: { 'content-type': 'application/json' } }), 400, 'invalid_request');
    });

    for (const [name, id] of [
      ['a space', 'my client'],
      ['a non-ASCII character', 'clïent'],
      ['256 characters', 'x'.repeat(256)],
    ] as const) {
      it(`refuses a client_id with ${name}, naming client_id`, async () => {
        expectRefused(await api('POST', '/admin/clients', { client_id: id }), 'client_id');
      });
    }

    it('accepts loopback http, private-use scheme and https redirect URIs', async () => {
      const redirect_uris = ['http://127.0.0.1:8080/cb', 'http://localhost/cb', 'http://[::1]:3000/cb', 'com.example.app:/cb', 'https://app.example.com/cb?x=1'];
      const res = await api('POST', '/admin/clients', { redirect_uris, post_logout_redirect_uris: ['http://127.0.0.1:9000/bye'] });
      expect(res.status, res.text).to.equal(201);
      expect(res.body.redirect_uris).to.deep.equal(redirect_uris);
    });

    it('never answers 500 for a client_name with a NUL character', async () => {
      const res = await api('POST', '/admin/clients', { client_name: 'a\u0000b' });
      expect(res.status, res.text).to.be.oneOf([201, 400]);
      if (res.status === 201) expect((await stored(res.body.client_id)).client_name).to.equal('a\u0000b');
      else expectRefused(res);
    });

    for (const field of ['client_name', 'owner'] as const) {
      it(`never answers 500 for ${field} of 2000 characters`, async () => {
        const res = await api('POST', '/admin/clients', { [field]: 'n'.repeat(2000) });
        expect(res.status, res.text).to.be.oneOf([201, 400]);
        if (res.status === 201) expect((await stored(res.body.client_id))[field]).to.have.length(2000);
        else expectRefused(res, field);
      });
    }
  });

  describe('PUT /admin/clients/{id}', () => {
    for (const c of metadataCases()) {
      it(`refuses ${c.name} (${c.error}) and changes nothing`, async () => {
        const client = await made();
        const body = typeof c.body === 'object' && c.body !== null && !Array.isArray(c.body) ? { redirect_uris: cb, ...(c.body as object) } : c.body;
        expectError(await api('PUT', `/admin/clients/${client.client_id}`, body), 400, c.error, c.field);
        const { client_secret: _secret, ...shown } = client;
        expect(await stored(client.client_id)).to.deep.equal(shown);
      });
    }

    it('refuses an empty body', async () => {
      const client = await made();
      expectError(await request(t.adminUrl, 'PUT', `/admin/clients/${client.client_id}`, { headers: { 'content-type': 'application/json' } }), 400, 'invalid_request');
    });
  });

  describe('PATCH /admin/clients/{id}', () => {
    const patches: Array<{ name: string; body: unknown; error: string; field?: string }> = [
      { name: 'a body that is not an array', body: { op: 'replace', path: '/client_name', value: 'x' }, error: 'invalid_request' },
      { name: 'an operation that is not an object', body: [1], error: 'invalid_request' },
      { name: 'an unknown op', body: [{ op: 'frobnicate', path: '/client_name' }], error: 'invalid_request' },
      { name: 'a failing test op', body: [{ op: 'test', path: '/client_name', value: 'other' }, { op: 'replace', path: '/client_name', value: 'x' }], error: 'invalid_request' },
      { name: 'removing a path that does not exist', body: [{ op: 'remove', path: '/contacts/5' }], error: 'invalid_request' },
      { name: 'a prototype-polluting path', body: [{ op: 'add', path: '/__proto__/polluted', value: true }], error: 'invalid_request' },
      { name: 'a change of /client_id', body: [{ op: 'replace', path: '/client_id', value: 'stolen' }], error: 'invalid_request', field: 'client_id' },
      { name: 'a value of the wrong type', body: [{ op: 'replace', path: '/skip_consent', value: 'yes' }], error: 'invalid_request', field: 'skip_consent' },
      { name: 'replacing the whole document with null', body: [{ op: 'replace', path: '', value: null }], error: 'invalid_request' },
      {
        name: 'a result with an http non-loopback redirect URI',
        body: [{ op: 'add', path: '/redirect_uris/-', value: 'http://evil.example/cb' }],
        error: 'invalid_redirect_uri',
        field: 'redirect_uris',
      },
      { name: 'a result with the implicit grant', body: [{ op: 'add', path: '/grant_types/-', value: 'implicit' }], error: 'invalid_client_metadata', field: 'grant_types' },
    ];
    for (const p of patches) {
      it(`refuses ${p.name} and changes nothing`, async () => {
        const client = await made();
        expectError(await api('PATCH', `/admin/clients/${client.client_id}`, p.body), 400, p.error, p.field);
        const after = await stored(client.client_id);
        const { client_secret: _secret, ...shown } = client;
        expect(after).to.deep.equal(shown);
      });
    }

    it('keeps Object.prototype clean after a __proto__ patch', () => {
      expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
    });

    it('refuses an empty body, and answers 404 for an unknown id', async () => {
      const client = await made();
      expectError(await request(t.adminUrl, 'PATCH', `/admin/clients/${client.client_id}`, { headers: { 'content-type': 'application/json' } }), 400, 'invalid_request');
      expectError(await api('PATCH', `/admin/clients/unknown-${uid()}`, [{ op: 'replace', path: '/client_name', value: 'x' }]), 404, 'not_found');
    });
  });

  describe('PUT /admin/clients/{id}/lifespans', () => {
    const bad: Array<[string, unknown, string?]> = [
      ['a duration "forever"', { authorization_code_grant_access_token_lifespan: 'forever' }, 'authorization_code_grant_access_token_lifespan'],
      ['a negative duration', { refresh_token_grant_refresh_token_lifespan: '-1h' }, 'refresh_token_grant_refresh_token_lifespan'],
      ['a number of seconds', { client_credentials_grant_access_token_lifespan: 3600 }, 'client_credentials_grant_access_token_lifespan'],
      ['an array body', ['1h']],
    ];
    for (const [name, body, field] of bad) {
      it(`refuses ${name} (invalid_request) and changes nothing`, async () => {
        const client = await made();
        expectError(await api('PUT', `/admin/clients/${client.client_id}/lifespans`, body), 400, 'invalid_request', field);
        expect(await stored(client.client_id)).to.include({ updated_at: client.updated_at });
      });
    }

    it('refuses an empty body, and answers 404 for an unknown id', async () => {
      const client = await made();
      expectError(await request(t.adminUrl, 'PUT', `/admin/clients/${client.client_id}/lifespans`, { headers: { 'content-type': 'application/json' } }), 400, 'invalid_request');
      expectError(await api('PUT', `/admin/clients/unknown-${uid()}/lifespans`, { client_credentials_grant_access_token_lifespan: '1h' }), 404, 'not_found');
    });
  });

  describe('GET /admin/clients (list)', () => {
    const queries: Array<[string, string, string]> = [
      ['page_size 0', 'page_size=0', 'page_size'],
      ['page_size 501', 'page_size=501', 'page_size'],
      ['page_size "abc"', 'page_size=abc', 'page_size'],
      ['page_size 1.5', 'page_size=1.5', 'page_size'],
      ['page_size given twice', 'page_size=2&page_size=3', 'page_size'],
      ['a page_token that is not one we issued', 'page_token=%2A%2A%2Anot-a-token', 'page_token'],
      ['a page_token with padding', 'page_token=YWJj%3D', 'page_token'],
      ['an empty page_token', 'page_token=', 'page_token'],
      ['a page_token of 600 characters', `page_token=${'A'.repeat(600)}`, 'page_token'],
      ['client_name given twice', 'client_name=a&client_name=b', 'client_name'],
    ];
    for (const [name, query, field] of queries) {
      it(`refuses ${name} with 400 invalid_request`, async () => {
        expectError(await api('GET', `/admin/clients?${query}`), 400, 'invalid_request', field);
      });
    }

    for (const filter of ['client_name', 'owner']) {
      it(`never answers 500 for a NUL character in the ${filter} filter`, async () => {
        const res = await api<unknown>('GET', `/admin/clients?${filter}=a%00b-${uid()}`);
        expect(res.status, res.text).to.be.oneOf([200, 400]);
        if (res.status === 200) expect(res.body).to.deep.equal([]);
        else expectRefused(res);
      });
    }
  });

  describe('GET and DELETE /admin/clients/{id}', () => {
    const odd: Array<[string, string]> = [
      ['an unknown id', `unknown-${uid()}`],
      ['an id with broken percent-encoding', '%E2%82'],
      ['an id of 300 characters', 'x'.repeat(300)],
    ];
    for (const [name, id] of odd) {
      it(`answer 404 not_found for ${name}`, async () => {
        expectError(await api('GET', `/admin/clients/${id}`), 404, 'not_found');
        expectError(await api('DELETE', `/admin/clients/${id}`), 404, 'not_found');
      });
    }

    for (const id of ['%00', 'a%00b']) {
      it(`answer 400 or 404, never 500, for the id ${id}`, async () => {
        for (const method of ['GET', 'DELETE']) {
          const res = await api(method, `/admin/clients/${id}`);
          if (res.status === 404) expectError(res, 404, 'not_found');
          else expectRefused(res);
        }
      });
    }
  });
});

describeEachBackend('clients admin API: --dev and configured policies', (backend) => {
  let db: Database;
  let t: Running;

  before(async () => {
    db = await backend.create();
    t = await startTessera(db, { dev: true, oidc: { subject_identifiers: { supported_types: ['public', 'pairwise'] } } });
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  it('--dev allows plain http redirect URIs to any host', async () => {
    const res = await request<OAuth2Client>(t.adminUrl, 'POST', '/admin/clients', { json: { redirect_uris: ['http://app.example.com/cb'] } });
    expect(res.status, res.text).to.equal(201);
    expect(res.body.redirect_uris).to.deep.equal(['http://app.example.com/cb']);
  });

  it('--dev still refuses fragments and javascript: URIs', async () => {
    for (const uri of ['http://app.example.com/cb#x', 'javascript:alert(1)']) {
      expectError(await request(t.adminUrl, 'POST', '/admin/clients', { json: { redirect_uris: [uri] } }), 400, 'invalid_redirect_uri', 'redirect_uris');
    }
  });

  it('accepts subject_type pairwise once it is enabled', async () => {
    const res = await request<OAuth2Client>(t.adminUrl, 'POST', '/admin/clients', { json: { subject_type: 'pairwise', redirect_uris: cb } });
    expect(res.status, res.text).to.equal(201);
    expect(res.body.subject_type).to.equal('pairwise');
  });
});
