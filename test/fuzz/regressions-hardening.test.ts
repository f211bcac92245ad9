import { expect } from 'chai';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera } from '../helpers/tessera.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { FUZZ_CONFIG } from './fixture.js';
import { send, type RawAnswer } from './raw-http.js';

/*
 * Crashes the fuzzer found in areas of issue 12's defect classes (NUL at the
 * edge, prototype-name lookups, URLs built from input), fixed there; each test
 * names the request and the answer it used to get.
 */

const FORM = ['Content-Type', Buffer.from('application/x-www-form-urlencoded')] as const;
const basicRaw = (credentials: Buffer): readonly [string, Buffer] => ['Authorization', Buffer.from(`Basic ${credentials.toString('base64')}`)];

function post(base: string, path: string, body: string, headers: readonly (readonly [string, Buffer])[] = []): Promise<RawAnswer> {
  return send(base, { method: 'POST', target: Buffer.from(path), headers: [FORM, ...headers], body: Buffer.from(body) });
}

function expectClientError(res: RawAnswer, status = 401): void {
  expect(res.status, res.body).to.equal(status);
  expect(JSON.parse(res.body)).to.have.property('error').that.is.a('string');
}

describeEachBackend('fuzz: regressions in the hardening classes', (backend) => {
  const harness = useTessera(backend, FUZZ_CONFIG);
  let client: CreatedClient;
  before(async () => {
    client = await createClient(harness.t.adminUrl, { grant_types: ['client_credentials'], scope: 'read' });
  });

  // Class 4 (lead: NUL at the edge). PostgreSQL refuses U+0000 in text: "invalid byte sequence for encoding UTF8: 0x00" → 500.
  describe('Basic credentials carrying NUL (PostgreSQL answered 500)', () => {
    const cases: readonly (readonly [string, string, string])[] = [
      ['POST /oauth2/token (fast lane), Basic base64("\\0:")', '/oauth2/token', 'grant_type=client_credentials'],
      ['POST /oauth2/token?x (koa route), Basic base64("\\0:")', '/oauth2/token?x=1', 'grant_type=client_credentials'],
      ['POST /oauth2/revoke, Basic base64("\\0:\\0")', '/oauth2/revoke', 'token=ory_rt_x'],
    ];
    for (const [title, path, body] of cases) {
      it(`${title} answers 401 invalid_client`, async () => {
        expectClientError(await post(harness.t.publicUrl, path, body, [basicRaw(Buffer.from(path.includes('revoke') ? '\0:\0' : '\0:'))]));
      });
    }
  });

  // Class 2 (helper "lookups"): GRANTS[grant_type] is a plain object literal, so Object.prototype members are found.
  describe('grant_type named like an Object.prototype member, with valid client credentials', () => {
    for (const name of ['__proto__', 'constructor', 'valueOf', 'hasOwnProperty', 'toString', 'toLocaleString', '__defineSetter__']) {
      it(`grant_type=${name} answers 400 unsupported_grant_type (was 500, or 200 echoing the request for "constructor")`, async () => {
        const auth = basicRaw(Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`));
        const res = await post(harness.t.publicUrl, '/oauth2/token', `grant_type=${name}`, [auth]);
        expect(res.status, res.body).to.equal(400);
        expect(JSON.parse(res.body)).to.include({ error: 'unsupported_grant_type' });
      });
    }
  });

  // Class 3 (helper "lookups": URL validation). The RFC 8252 loopback port exception let port 99999 through; building the redirect threw.
  describe('a loopback redirect_uri with port 99999 for a client registered with http://127.0.0.1:9999/callback', () => {
    let loopback: CreatedClient;
    before(async () => {
      loopback = await createClient(harness.t.adminUrl, { redirect_uris: ['http://127.0.0.1:9999/callback'], scope: 'openid' });
    });
    const query = (extra: string) =>
      `/oauth2/auth?response_type=code&client_id=${loopback.client_id}&redirect_uri=${encodeURIComponent('http://127.0.0.1:99999/callback')}&scope=openid&state=abcdefgh1234${extra}`;
    it('GET /oauth2/auth with response_mode=bogus (an error sent to the redirect_uri) answers 400, was 500', async () => {
      const res = await send(harness.t.publicUrl, { method: 'GET', target: Buffer.from(query('&response_mode=bogus')), headers: [] });
      expect(res.status, res.body).to.equal(400);
      expect(JSON.parse(res.body)).to.have.property('error').that.is.a('string');
    });
  });
});
