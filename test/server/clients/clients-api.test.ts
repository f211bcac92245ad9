import { expect } from 'chai';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { lifespanFields, type OAuth2Client } from '@tessera/sdk';
import { describeEachBackend, type Database } from '../../helpers/databases.js';
import { startTessera, type Running } from '../../helpers/tessera.js';
import { request, type Answer } from '../../helpers/http.js';
import { connect, type Connection } from '../../../server/src/storage/knex/index.js';

/*
 * /admin/clients through HTTP, as README "Admin API → Clients" describes it
 * (Hydra v2's client/handler.go). Invalid input is covered in
 * clients-validation.test.ts.
 */

interface ErrorBody {
  error: string;
  error_description: string;
}

const uid = () => randomBytes(5).toString('hex');
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
/** 32 random bytes, base64url, no padding (RFC 4648 §5). */
const GENERATED_SECRET = /^[A-Za-z0-9_-]{43,}$/;
const LIST_FIELDS = ['redirect_uris', 'audience', 'contacts', 'allowed_cors_origins', 'request_uris', 'post_logout_redirect_uris'] as const;

function expectError(res: Answer, status: number, error: string): void {
  expect(res.status, res.text).to.equal(status);
  expect(res.body).to.include({ error });
  expect((res.body as ErrorBody).error_description).to.be.a('string').and.not.equal('');
}

/** Every way a secret could sit in a column in clear or thinly encoded. */
function encodings(secret: string): string[] {
  const utf8 = Buffer.from(secret, 'utf8');
  const raw = Buffer.from(secret, 'base64url');
  const out = [secret, utf8.toString('base64'), utf8.toString('base64').replace(/=+$/, ''), utf8.toString('base64url'), utf8.toString('hex')];
  if (GENERATED_SECRET.test(secret)) out.push(raw.toString('base64'), raw.toString('hex'));
  return out;
}

/** RFC 8288 Link header → { rel: target }. */
function links(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [, target, rel] of (header ?? '').matchAll(/<([^>]*)>;\s*rel="([^"]+)"/g)) if (rel && target) out[rel] = target;
  return out;
}

const publicJwk = () => {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...publicKey.export({ format: 'jwk' }), kid: `k-${uid()}`, alg: 'ES256', use: 'sig' };
};

describeEachBackend('clients admin API', (backend) => {
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

  const api = <T = OAuth2Client>(method: string, path: string, json?: unknown) => request<T>(t.adminUrl, method, path, json === undefined ? {} : { json });
  const create = (json: unknown) => api('POST', '/admin/clients', json);
  const row = async (id: string): Promise<Record<string, unknown> | undefined> =>
    conn.knex<Record<string, unknown>>('clients').where('id', id).first();

  async function expectHashedOnly(id: string, secret: string): Promise<void> {
    const stored = await row(id);
    expect(stored, 'row').to.not.equal(undefined);
    expect(stored?.['secret_hash']).to.be.a('string').and.not.equal('');
    const whole = JSON.stringify(stored);
    for (const form of encodings(secret)) expect(whole, `the row holds ${form}`).not.to.include(form);
  }

  describe('create', () => {
    it('answers 201 with a UUID client_id, a generated secret and Hydra defaults', async () => {
      const res = await create({ redirect_uris: ['https://app.example.com/cb'] });
      expect(res.status, res.text).to.equal(201);
      const c = res.body;
      expect(c.client_id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(c.client_secret).to.match(GENERATED_SECRET);
      expect(c).to.include({
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'offline_access offline openid',
        client_secret_expires_at: 0,
        client_name: '',
        owner: '',
        subject_type: 'public',
        skip_consent: false,
        skip_logout_consent: false,
      });
      expect(c.grant_types).to.deep.equal(['authorization_code']);
      expect(c.response_types).to.deep.equal(['code']);
      for (const field of LIST_FIELDS.filter((f) => f !== 'redirect_uris')) expect(c[field], field).to.deep.equal([]);
      expect(c.metadata).to.deep.equal({});
      expect(c.created_at).to.match(ISO);
      expect(c.updated_at).to.match(ISO);
      for (const field of lifespanFields) expect(c[field] ?? null, field).to.equal(null);
    });

    it('gives [] rather than null for every list, even when null is sent', async () => {
      const nulls = Object.fromEntries(LIST_FIELDS.map((f) => [f, null]));
      const res = await create({ ...nulls, grant_types: null, response_types: null });
      expect(res.status, res.text).to.equal(201);
      for (const field of LIST_FIELDS) expect(res.body[field], field).to.deep.equal([]);
      const got = await api('GET', `/admin/clients/${res.body.client_id}`);
      for (const field of LIST_FIELDS) expect(got.body[field], field).to.deep.equal([]);
    });

    it('keeps a chosen client_id and refuses it a second time with 409 conflict', async () => {
      const id = `my-app-${uid()}`;
      const first = await create({ client_id: id });
      expect(first.status, first.text).to.equal(201);
      expect(first.body.client_id).to.equal(id);
      expectError(await create({ client_id: id, client_name: 'again' }), 409, 'conflict');
      expect((await api('GET', `/admin/clients/${id}`)).body.client_name).to.equal('');
    });

    it('lets exactly one of several concurrent creates of the same id win', async () => {
      const id = `race-${uid()}`;
      const answers = await Promise.all(Array.from({ length: 6 }, () => create({ client_id: id })));
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).to.deep.equal([201, 409, 409, 409, 409, 409]);
    });

    it('shows the secret only in the answer to the create', async () => {
      const owner = `secretive-${uid()}`;
      const res = await create({ owner, redirect_uris: ['https://app.example.com/cb'] });
      const id = res.body.client_id;
      expect(res.body.client_secret).to.match(GENERATED_SECRET);
      expect((await api('GET', `/admin/clients/${id}`)).body).not.to.have.property('client_secret');
      const list = await api<OAuth2Client[]>('GET', `/admin/clients?owner=${owner}`);
      expect(list.body).to.have.length(1);
      expect(list.body[0]).not.to.have.property('client_secret');
      expect(list.text).not.to.include(res.body.client_secret);
      const put = await api('PUT', `/admin/clients/${id}`, { owner, client_name: 'renamed', redirect_uris: ['https://app.example.com/cb'] });
      expect(put.status, put.text).to.equal(200);
      expect(put.body).not.to.have.property('client_secret');
    });

    it('gives a public client (auth method none) no secret and stores none', async () => {
      const res = await create({ token_endpoint_auth_method: 'none', redirect_uris: ['com.example.app:/cb'] });
      expect(res.status, res.text).to.equal(201);
      expect(res.body).not.to.have.property('client_secret');
      expect((await row(res.body.client_id))?.['secret_hash']).to.equal(null);
    });

    it('round-trips every Hydra OAuth2Client field', async () => {
      const lifespans = Object.fromEntries(lifespanFields.map((f, i) => [f, `${i + 1}h`]));
      const sent = {
        client_id: `full-${uid()}`,
        client_name: 'Full client',
        redirect_uris: ['https://app.example.com/cb', 'http://127.0.0.1:8080/cb'],
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        response_types: ['code'],
        scope: 'openid offline_access profile email',
        audience: ['https://api.example.com', 'https://other.example.com'],
        owner: 'team-a',
        policy_uri: 'https://app.example.com/policy',
        tos_uri: 'https://app.example.com/tos',
        client_uri: 'https://app.example.com',
        logo_uri: 'https://app.example.com/logo.png',
        contacts: ['ops@example.com', 'dev@example.com'],
        allowed_cors_origins: ['https://app.example.com'],
        post_logout_redirect_uris: ['https://app.example.com/bye'],
        frontchannel_logout_uri: 'https://app.example.com/logout/front',
        frontchannel_logout_session_required: true,
        backchannel_logout_uri: 'https://app.example.com/logout/back',
        backchannel_logout_session_required: true,
        skip_consent: true,
        skip_logout_consent: true,
        access_token_strategy: 'jwt',
        metadata: { tier: 'gold', nested: { n: 1, list: [1, 'two', null] } },
        subject_type: 'public',
        token_endpoint_auth_method: 'client_secret_post',
        ...lifespans,
      };
      const res = await create(sent);
      expect(res.status, res.text).to.equal(201);
      for (const [field, value] of Object.entries(sent)) expect(res.body[field as keyof OAuth2Client], field).to.deep.equal(value);
      const { client_secret: _secret, ...shown } = res.body;
      expect((await api('GET', `/admin/clients/${sent.client_id}`)).body).to.deep.equal(shown);
    });

    it('round-trips jwks for private_key_jwt, with no secret', async () => {
      const jwks = { keys: [publicJwk()] };
      const res = await create({ token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks, grant_types: ['client_credentials'] });
      expect(res.status, res.text).to.equal(201);
      expect(res.body).not.to.have.property('client_secret');
      expect(res.body).to.include({ token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256' });
      expect(res.body.response_types).to.deep.equal([]);
      expect((await api('GET', `/admin/clients/${res.body.client_id}`)).body.jwks).to.deep.equal(jwks);
    });

    it('round-trips jwks_uri for private_key_jwt', async () => {
      const res = await create({ token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://app.example.com/jwks.json', grant_types: ['client_credentials'] });
      expect(res.status, res.text).to.equal(201);
      expect((await api('GET', `/admin/clients/${res.body.client_id}`)).body.jwks_uri).to.equal('https://app.example.com/jwks.json');
    });
  });

  describe('secrets at rest', () => {
    it('stores a generated secret only as a hash', async () => {
      const res = await create({});
      await expectHashedOnly(res.body.client_id, res.body.client_secret ?? '');
    });

    it('stores a chosen secret only as a hash, and echoes it once', async () => {
      const secret = `chosen-${uid()}-password`;
      const res = await create({ client_secret: secret });
      expect(res.body.client_secret).to.equal(secret);
      await expectHashedOnly(res.body.client_id, secret);
    });
  });

  describe('list', () => {
    it('pages with page_size and the Link next target until there is none', async () => {
      const owner = `pager-${uid()}`;
      const created = new Set<string>();
      for (let i = 0; i < 5; i++) created.add((await create({ owner })).body.client_id);
      const seen: string[] = [];
      let target: string | undefined = `/admin/clients?page_size=2&owner=${owner}`;
      let pages = 0;
      while (target !== undefined) {
        const page: Answer<OAuth2Client[]> = await api<OAuth2Client[]>('GET', target);
        expect(page.status, page.text).to.equal(200);
        expect(page.headers.get('x-total-count')).to.equal('5');
        expect(page.body.length).to.be.at.most(2);
        seen.push(...page.body.map((c) => c.client_id));
        const rels = links(page.headers.get('link'));
        expect(rels).to.have.property('first');
        target = rels['next'];
        if (++pages > 5) throw new Error('pagination does not end');
      }
      expect(pages).to.equal(3);
      expect(seen).to.have.length(5);
      expect(new Set(seen)).to.deep.equal(created);
    });

    it('counts every client in X-Total-Count without filters', async () => {
      const res = await api<OAuth2Client[]>('GET', '/admin/clients?page_size=1');
      const count = await conn.knex('clients').count<Array<{ n: number | string }>>({ n: '*' });
      expect(res.body).to.have.length(1);
      expect(res.headers.get('x-total-count')).to.equal(String(count[0]?.n));
    });

    it('filters by client_name and by owner, exactly', async () => {
      const tag = uid();
      const a = await create({ client_name: `alpha ${tag}`, owner: `o1-${tag}` });
      const b = await create({ client_name: `alpha ${tag}`, owner: `o2-${tag}` });
      await create({ client_name: `alpha ${tag} 2`, owner: `o1-${tag}` });
      const byName = await api<OAuth2Client[]>('GET', `/admin/clients?client_name=${encodeURIComponent(`alpha ${tag}`)}`);
      expect(byName.body.map((c) => c.client_id).sort()).to.deep.equal([a.body.client_id, b.body.client_id].sort());
      expect(byName.headers.get('x-total-count')).to.equal('2');
      const both = await api<OAuth2Client[]>('GET', `/admin/clients?client_name=${encodeURIComponent(`alpha ${tag}`)}&owner=o2-${tag}`);
      expect(both.body.map((c) => c.client_id)).to.deep.equal([b.body.client_id]);
      expect((await api<OAuth2Client[]>('GET', `/admin/clients?owner=nobody-${tag}`)).body).to.deep.equal([]);
    });
  });

  describe('get, replace, patch, delete, lifespans', () => {
    const full = { client_name: 'before', redirect_uris: ['https://app.example.com/cb'], contacts: ['a@example.com', 'b@example.com'], scope: 'openid', skip_consent: true, owner: 'o' };

    it('GET of an unknown id is 404 not_found', async () => {
      expectError(await api('GET', `/admin/clients/unknown-${uid()}`), 404, 'not_found');
    });

    it('PUT replaces the whole client: unsent fields return to defaults, the secret stays', async () => {
      const made = await create(full);
      const id = made.body.client_id;
      const before = await row(id);
      const res = await api('PUT', `/admin/clients/${id}`, { client_name: 'after', redirect_uris: ['https://app.example.com/other'] });
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.include({ client_id: id, client_name: 'after', scope: 'offline_access offline openid', skip_consent: false, owner: '' });
      expect(res.body.contacts).to.deep.equal([]);
      expect(res.body.created_at).to.equal(made.body.created_at);
      expect(Date.parse(res.body.updated_at)).to.be.at.least(Date.parse(made.body.updated_at));
      expect(res.body).not.to.have.property('client_secret');
      expect((await row(id))?.['secret_hash']).to.equal(before?.['secret_hash']);
      expect((await api('GET', `/admin/clients/${id}`)).body).to.deep.equal(res.body);
    });

    it('PUT with a client_secret sets it, echoes it once and stores it hashed', async () => {
      const id = (await create(full)).body.client_id;
      const before = await row(id);
      const secret = `new-secret-${uid()}`;
      const res = await api('PUT', `/admin/clients/${id}`, { ...full, client_id: id, client_secret: secret });
      expect(res.status, res.text).to.equal(200);
      expect(res.body.client_secret).to.equal(secret);
      expect((await row(id))?.['secret_hash']).not.to.equal(before?.['secret_hash']);
      await expectHashedOnly(id, secret);
    });

    it('PUT refuses to change client_id (400) and answers 404 for an unknown id', async () => {
      const id = (await create(full)).body.client_id;
      expectError(await api('PUT', `/admin/clients/${id}`, { ...full, client_id: `other-${uid()}` }), 400, 'invalid_request');
      expect((await api('GET', `/admin/clients/${id}`)).body.client_name).to.equal('before');
      expectError(await api('PUT', `/admin/clients/unknown-${uid()}`, full), 404, 'not_found');
    });

    it('PATCH applies RFC 6902 replace, add and remove and keeps the secret', async () => {
      const id = (await create(full)).body.client_id;
      const before = await row(id);
      const res = await api('PATCH', `/admin/clients/${id}`, [
        { op: 'test', path: '/client_name', value: 'before' },
        { op: 'replace', path: '/client_name', value: 'patched' },
        { op: 'add', path: '/redirect_uris/-', value: 'https://app.example.com/added' },
        { op: 'remove', path: '/contacts/0' },
      ]);
      expect(res.status, res.text).to.equal(200);
      expect(res.body.client_name).to.equal('patched');
      expect(res.body.redirect_uris).to.deep.equal(['https://app.example.com/cb', 'https://app.example.com/added']);
      expect(res.body.contacts).to.deep.equal(['b@example.com']);
      expect(res.body).to.include({ scope: 'openid', skip_consent: true, owner: 'o' });
      expect(res.body).not.to.have.property('client_secret');
      expect((await row(id))?.['secret_hash']).to.equal(before?.['secret_hash']);
      expect((await api('GET', `/admin/clients/${id}`)).body).to.deep.equal(res.body);
    });

    it('PATCH that adds /client_secret sets a new secret, stored hashed', async () => {
      const id = (await create(full)).body.client_id;
      const secret = `patched-secret-${uid()}`;
      const res = await api('PATCH', `/admin/clients/${id}`, [{ op: 'add', path: '/client_secret', value: secret }]);
      expect(res.status, res.text).to.equal(200);
      expect(res.body.client_secret).to.equal(secret);
      await expectHashedOnly(id, secret);
    });

    it('DELETE answers 204, then GET and a second DELETE are 404', async () => {
      const id = (await create(full)).body.client_id;
      const res = await api('DELETE', `/admin/clients/${id}`);
      expect(res.status).to.equal(204);
      expect(res.text).to.equal('');
      expectError(await api('GET', `/admin/clients/${id}`), 404, 'not_found');
      expectError(await api('DELETE', `/admin/clients/${id}`), 404, 'not_found');
      expect(await row(id)).to.equal(undefined);
    });

    it('PUT /lifespans sets the 13 lifespan fields and replaces them as a set', async () => {
      const id = (await create(full)).body.client_id;
      const before = await row(id);
      const durations = ['1h', '30m', '720h', '1h30m', '90s', '500ms'];
      const lifespans = Object.fromEntries(lifespanFields.map((f, i) => [f, durations[i % durations.length]]));
      const res = await api('PUT', `/admin/clients/${id}/lifespans`, lifespans);
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.include(lifespans);
      expect(res.body).to.include({ client_name: 'before', scope: 'openid' });
      expect((await api('GET', `/admin/clients/${id}`)).body).to.include(lifespans);
      expect((await row(id))?.['secret_hash']).to.equal(before?.['secret_hash']);

      const again = await api('PUT', `/admin/clients/${id}/lifespans`, { client_credentials_grant_access_token_lifespan: '5m' });
      expect(again.status, again.text).to.equal(200);
      expect(again.body.client_credentials_grant_access_token_lifespan).to.equal('5m');
      expect(again.body.authorization_code_grant_access_token_lifespan ?? null).to.equal(null);
    });
  });
});
