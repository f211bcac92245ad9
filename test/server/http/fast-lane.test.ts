import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { describeEachBackend } from '../../helpers/databases.js';
import { useTessera, type Running } from '../../helpers/tessera.js';
import { request, type Answer } from '../../helpers/http.js';
import { basic, createClient, form, type CreatedClient } from '../../helpers/clients.js';

/*
 * POST /oauth2/token and POST /admin/oauth2/introspect are served without
 * koa (server/src/http/fast-lane.ts); the same path with a trailing slash
 * still goes through koa. Both must answer alike: same status, body and
 * headers (bar the date and request id), for successes and every kind of
 * failure.
 */

const VARYING = new Set(['date', 'x-request-id', 'content-length', 'keep-alive', 'connection']);

function headersOf(answer: Answer): Record<string, string> {
  return Object.fromEntries([...answer.headers].filter(([name]) => !VARYING.has(name)));
}

/** Tokens differ per call; the rest of a token answer must not. */
function stable(body: unknown): unknown {
  if (body === null || typeof body !== 'object') return body;
  const copy = { ...(body as Record<string, unknown>) };
  if (typeof copy['access_token'] === 'string') copy['access_token'] = (copy['access_token'] as string).slice(0, 7);
  return copy;
}

describeEachBackend('HTTP fast lane', (backend) => {
  const harness = useTessera(backend);
  let t: Running;
  let client: CreatedClient;

  before(async () => {
    t = harness.t;
    client = await createClient(t.adminUrl, { grant_types: ['client_credentials'], scope: 'read' });
  });

  async function both(base: string, path: string, options: Parameters<typeof request>[3]): Promise<[Answer, Answer]> {
    return [await request(base, 'POST', path, options), await request(base, 'POST', `${path}/`, options)];
  }

  const tokenCases: Array<[string, () => Parameters<typeof request>[3]]> = [
    ['a token', () => ({ ...form({ grant_type: 'client_credentials', scope: 'read' }), headers: { ...form({}).headers, authorization: basic(client.client_id, client.client_secret) } })],
    ['a wrong secret (401 with a challenge)', () => ({ ...form({ grant_type: 'client_credentials' }), headers: { ...form({}).headers, authorization: basic(client.client_id, 'wrong') } })],
    ['an unknown grant', () => ({ ...form({ grant_type: 'password' }), headers: { ...form({}).headers, authorization: basic(client.client_id, client.client_secret) } })],
    ['a scope the client lacks', () => ({ ...form({ grant_type: 'client_credentials', scope: 'admin' }), headers: { ...form({}).headers, authorization: basic(client.client_id, client.client_secret) } })],
    ['a JSON body', () => ({ body: '{"grant_type":"client_credentials"}', headers: { 'content-type': 'application/json' } })],
    ['a repeated parameter', () => ({ body: 'grant_type=a&grant_type=b', headers: form({}).headers })],
    ['a NUL character', () => ({ body: 'grant_type=client%00credentials', headers: form({}).headers })],
    ['a body over 100 KB', () => ({ body: `grant_type=x&pad=${'x'.repeat(101 * 1024)}`, headers: form({}).headers })],
    // The answers koa-bodyparser's routes give (http/body.ts), which the lane must give too.
    ['a body without Content-Type', () => ({ body: Buffer.from('grant_type=client_credentials') })],
    ['a text/plain body', () => ({ body: 'grant_type=client_credentials', headers: { 'content-type': 'text/plain' } })],
    ['a gzip body', () => ({ body: gzipSync('grant_type=client_credentials'), headers: { ...form({}).headers, 'content-encoding': 'gzip' } })],
    ['a byte that is not UTF-8', () => ({ body: 'grant_type=%FF', headers: form({}).headers })],
    // Found in review: the two paths answered these differently.
    ['an empty Content-Encoding', () => ({ ...form({ grant_type: 'client_credentials', scope: 'read' }), headers: { ...form({}).headers, 'content-encoding': '', authorization: basic(client.client_id, client.client_secret) } })],
    ['Content-Encoding: IDENTITY', () => ({ ...form({ grant_type: 'client_credentials', scope: 'read' }), headers: { ...form({}).headers, 'content-encoding': 'IDENTITY', authorization: basic(client.client_id, client.client_secret) } })],
    ['a UTF-8 byte order mark', () => ({ body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('grant_type=client_credentials&scope=read')]), headers: { ...form({}).headers, authorization: basic(client.client_id, client.client_secret) } })],
    ['malformed JSON quoting a secret', () => ({ body: '{"client_secret": "s3cret-value", x}', headers: { 'content-type': 'application/json' } })],
    ['a form with bracket syntax', () => ({ body: 'grant_type[a]=client_credentials', headers: form({}).headers })],
    ['Basic credentials carrying NUL', () => ({ ...form({ grant_type: 'client_credentials' }), headers: { ...form({}).headers, authorization: `Basic ${Buffer.from('a\0b:c').toString('base64')}` } })],
  ];

  for (const [what, options] of tokenCases) {
    it(`token endpoint, ${what}: the lane answers as koa does`, async () => {
      const [lane, koa] = await both(t.publicUrl, '/oauth2/token', options());
      expect(lane.status).to.equal(koa.status);
      expect(stable(lane.body)).to.deep.equal(stable(koa.body));
      expect(headersOf(lane)).to.deep.equal(headersOf(koa));
      expect(lane.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
      // fosite's rule: every token endpoint answer, failures included, is not to be cached (RFC 6749 §5.1).
      for (const answer of [lane, koa]) {
        expect(answer.headers.get('cache-control'), what).to.equal('no-store');
        expect(answer.headers.get('pragma'), what).to.equal('no-cache');
      }
    });
  }

  it('introspection: the lane answers as koa does, active, inactive and malformed', async () => {
    const issued = await request<{ access_token: string }>(t.publicUrl, 'POST', '/oauth2/token', {
      ...form({ grant_type: 'client_credentials', scope: 'read' }),
      headers: { ...form({}).headers, authorization: basic(client.client_id, client.client_secret) },
    });
    for (const body of [`token=${issued.body.access_token}`, 'token=ory_at_nothing', '', 'token=a&token=b']) {
      const [lane, koa] = await both(t.adminUrl, '/admin/oauth2/introspect', { body, headers: form({}).headers });
      expect(lane.status, body).to.equal(koa.status);
      expect(lane.body, body).to.deep.equal(koa.body);
      expect(headersOf(lane), body).to.deep.equal(headersOf(koa));
    }
    // Hydra's unprefixed path is served by the lane too.
    const unprefixed = await request<{ active: boolean }>(t.adminUrl, 'POST', '/oauth2/introspect', { body: `token=${issued.body.access_token}`, headers: form({}).headers });
    expect(unprefixed.body.active).to.equal(true);
  });

  it('keeps a caller-chosen request id and answers only POST in the lane', async () => {
    const answer = await request(t.publicUrl, 'POST', '/oauth2/token', { body: 'grant_type=x', headers: { ...form({}).headers, 'x-request-id': 'trace-42' } });
    expect(answer.headers.get('x-request-id')).to.equal('trace-42');
    const get = await request(t.publicUrl, 'GET', '/oauth2/token');
    expect(get.status).to.equal(405);
    expect(get.body).to.include({ error: 'method_not_allowed' });
  });
});

/*
 * With CORS on (http/cors.ts), the token endpoint's CORS headers come from
 * the lane on one path and from koa's route middleware on the other: the
 * same headers for every kind of origin and answer, unreadable bodies
 * included (the client then comes from the Basic header alone).
 */
describeEachBackend('HTTP fast lane with CORS', (backend) => {
  const GLOBAL = 'https://spa.example';
  const CLIENT_ORIGIN = 'https://client-spa.example';
  const harness = useTessera(backend, { serve: { public: { cors: { enabled: true, allowed_origins: [GLOBAL], max_age: 60 } } } });
  let t: Running;
  let client: CreatedClient;

  before(async () => {
    t = harness.t;
    client = await createClient(t.adminUrl, { grant_types: ['client_credentials'], scope: 'read', allowed_cors_origins: [CLIENT_ORIGIN] });
  });

  const withBasic = (origin: string | undefined, secret: string, body = form({ grant_type: 'client_credentials' }).body) => ({
    body,
    headers: { ...form({}).headers, authorization: basic(client.client_id, secret), ...(origin ? { origin } : {}) },
  });
  const cases: Array<[string, () => Parameters<typeof request>[3], string | null]> = [
    ['no Origin', () => withBasic(undefined, client.client_secret), null],
    ['the global origin', () => withBasic(GLOBAL, client.client_secret), GLOBAL],
    ['the client’s origin', () => withBasic(CLIENT_ORIGIN, client.client_secret), CLIENT_ORIGIN],
    ['the client’s origin and a wrong secret', () => withBasic(CLIENT_ORIGIN, 'wrong'), CLIENT_ORIGIN],
    ['the client’s origin and client_id in the form', () => ({ ...form({ grant_type: 'client_credentials', client_id: client.client_id }), headers: { ...form({}).headers, origin: CLIENT_ORIGIN } }), CLIENT_ORIGIN],
    ['the client’s origin and an unreadable body', () => withBasic(CLIENT_ORIGIN, client.client_secret, 'grant_type=a&grant_type=b'), CLIENT_ORIGIN],
    ['another origin', () => withBasic('https://evil.example', client.client_secret), null],
    ['an unknown client', () => ({ ...form({ grant_type: 'client_credentials', client_id: 'nobody' }), headers: { ...form({}).headers, origin: CLIENT_ORIGIN } }), null],
  ];

  for (const [what, options, allowed] of cases) {
    it(`token endpoint, ${what}: the lane sends the CORS headers koa sends`, async () => {
      const lane = await request(t.publicUrl, 'POST', '/oauth2/token', options());
      const koa = await request(t.publicUrl, 'POST', '/oauth2/token/', options());
      expect(lane.status).to.equal(koa.status);
      expect(stable(lane.body)).to.deep.equal(stable(koa.body));
      expect(headersOf(lane)).to.deep.equal(headersOf(koa));
      expect(lane.headers.get('access-control-allow-origin')).to.equal(allowed);
      expect(lane.headers.get('vary')).to.equal('Origin');
    });
  }
});
