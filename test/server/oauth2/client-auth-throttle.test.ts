import { expect } from 'chai';
import { describeEachBackend } from '../../helpers/databases.js';
import { useTessera, type Running } from '../../helpers/tessera.js';
import { basic, createClient, form, type CreatedClient } from '../../helpers/clients.js';
import { request, type Answer } from '../../helpers/http.js';
import { rawRequest } from '../../helpers/raw-http.js';

/*
 * Issue 12, class 10: failed client authentications with an admin-chosen
 * (scrypt) secret are throttled per client and caller address (RFC 6749 §10.10): past
 * `oauth2.client_auth_throttle.max_failures` in `window`, 429
 * `too_many_requests` with Retry-After, without running scrypt, at the token
 * endpoint (fast lane and koa) and at revocation. A secret already verified
 * by this process still works; generated secrets are never throttled.
 */

const WINDOW_S = 3;
const MAX = 3;

type Json = { error?: string; error_description?: string; access_token?: string };

describeEachBackend('throttling failed client authentication', (backend) => {
  const harness = useTessera(backend, { oauth2: { client_auth_throttle: { max_failures: MAX, window: `${WINDOW_S}s` } } });
  let t: Running;
  let n = 0;
  const chosen = async (extra: Record<string, unknown> = {}): Promise<CreatedClient> =>
    createClient(t.adminUrl, { grant_types: ['client_credentials'], scope: 'read', client_secret: `chosen-secret-${++n}`, ...extra });
  const post = (path: string, params: Record<string, string>, authorization: string): Promise<Answer<Json>> => {
    const f = form(params);
    return request<Json>(t.publicUrl, 'POST', path, { body: f.body, headers: { ...f.headers, ...(authorization ? { authorization } : {}) } });
  };
  const token = (c: CreatedClient, secret = c.client_secret, path = '/oauth2/token') => post(path, { grant_type: 'client_credentials', scope: 'read' }, basic(c.client_id, secret));
  const revoke = (c: CreatedClient, secret = c.client_secret) => post('/oauth2/revoke', { token: 'ory_at_unknown' }, basic(c.client_id, secret));
  const expectStatus = (res: Answer<Json>, status: number, error?: string) => {
    expect(res.status, res.text).to.equal(status);
    if (error) expect(res.body.error, res.text).to.equal(error);
  };
  function expectThrottled(res: Answer<Json>): void {
    expectStatus(res, 429, 'too_many_requests');
    expect(res.body.error_description).to.be.a('string');
    const retry = Number(res.headers.get('retry-after'));
    expect(retry, 'Retry-After').to.be.within(1, WINDOW_S);
  }

  before(() => {
    t = harness.t;
  });

  it(`answers 429 with Retry-After after ${MAX} failures, until the window ends; then the right secret works`, async () => {
    const c = await chosen();
    for (let i = 0; i < MAX; i++) expectStatus(await token(c, 'wrong-secret'), 401, 'invalid_client');
    expectThrottled(await token(c, 'wrong-secret'));
    expectThrottled(await token(c, 'wrong-secret', '/oauth2/token/'));
    // Not verified by this process yet: it waits like any other try.
    expectThrottled(await token(c));
    await new Promise((resolve) => setTimeout(resolve, WINDOW_S * 1000 + 200));
    expectStatus(await token(c), 200);
  });

  it('lets a secret this process already verified through while its client is under attack', async () => {
    const c = await chosen();
    expectStatus(await token(c), 200);
    for (let i = 0; i < MAX; i++) expectStatus(await token(c, `guess-${i}`), 401, 'invalid_client');
    expectThrottled(await token(c, 'another-guess'));
    expectStatus(await token(c), 200);
    expectStatus(await revoke(c), 200);
  });

  it('counts failures at the token endpoint (both lanes) and at revocation together', async () => {
    const c = await chosen();
    expectStatus(await token(c, 'wrong-1'), 401, 'invalid_client');
    expectStatus(await token(c, 'wrong-2', '/oauth2/token/'), 401, 'invalid_client');
    expectStatus(await revoke(c, 'wrong-3'), 401, 'invalid_client');
    expectThrottled(await revoke(c, 'wrong-4'));
    expectThrottled(await token(c, 'wrong-5'));
  });

  it('throttles client_secret_post as it does client_secret_basic', async () => {
    const c = await chosen({ token_endpoint_auth_method: 'client_secret_post' });
    const byPost = (secret: string) => post('/oauth2/token', { grant_type: 'client_credentials', client_id: c.client_id, client_secret: secret }, '');
    for (let i = 0; i < MAX; i++) expectStatus(await byPost(`wrong-${i}`), 401, 'invalid_client');
    expectThrottled(await byPost('wrong'));
  });

  it('reserves a slot per try running, so parallel guesses cannot overshoot', async () => {
    const c = await chosen();
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => token(c, `parallel-${i}`)));
    expect(answers.filter((a) => a.status === 401)).to.have.length(MAX);
    expect(answers.filter((a) => a.status === 429)).to.have.length(12 - MAX);
  });

  it('spends no scrypt on a throttled try', async () => {
    const c = await chosen();
    for (let i = 0; i < MAX; i++) await token(c, `warm-${i}`);
    const before = process.cpuUsage();
    for (let i = 0; i < 20; i++) expectThrottled(await token(c, `cold-${i}`));
    const used = process.cpuUsage(before);
    // 20 scrypt checks are about a second of CPU; 20 refusals a few milliseconds each at most.
    expect((used.user + used.system) / 1000, 'ms of CPU').to.be.below(400);
  });

  it('throttles each client on its own, and never a generated secret', async () => {
    const attacked = await chosen();
    const bystander = await chosen();
    for (let i = 0; i <= MAX; i++) await token(attacked, `x-${i}`);
    expectStatus(await token(bystander, 'wrong'), 401, 'invalid_client');
    expectStatus(await token(bystander), 200);
    const generated = await createClient(t.adminUrl, { grant_types: ['client_credentials'], scope: 'read' });
    for (let i = 0; i < 3 * MAX; i++) expectStatus(await token(generated, `g-${i}`), 401, 'invalid_client');
    expectStatus(await token(generated), 200);
  });

  describe('per caller address (a window long enough for 40 scrypt checks)', () => {
    const long = useTessera(backend, { oauth2: { client_auth_throttle: { max_failures: MAX, window: '60s' } } });

    it('an attacker elsewhere does not lock the client out; many addresses are capped together', async () => {
      // Found in review: ten wrong secrets from anywhere made the right one 429 for the whole window.
      const c = await createClient(long.t.adminUrl, { grant_types: ['client_credentials'], scope: 'read', client_secret: 'chosen-secret-per-address' });
      // Linux answers for all of 127.0.0.0/8: each local address is another caller.
      const from = (address: string, secret: string, path = '/oauth2/token') =>
        rawRequest(long.t.publicUrl, 'POST', path, {
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(c.client_id, secret) },
          body: 'grant_type=client_credentials&scope=read',
          localAddress: address,
        });
      for (let i = 0; i < MAX; i++) expect((await from('127.0.0.2', 'wrong')).status).to.equal(401);
      expect((await from('127.0.0.2', 'wrong')).status).to.equal(429);
      expect((await from('127.0.0.2', c.client_secret, '/oauth2/token/')).status).to.equal(429);
      // The client itself, calling from another address (never verified by this process before): through.
      const fine = await from('127.0.0.3', c.client_secret);
      expect(fine.status, fine.text).to.equal(200);
      // Ten times the limit from all addresses together (127.0.0.2's included) closes the client for every new address.
      const spread = Array.from({ length: MAX * 10 - MAX }, (_, i) => `127.0.1.${i + 1}`);
      for (const address of spread) expect((await from(address, 'wrong')).status, address).to.equal(401);
      expect((await from('127.0.2.1', 'wrong')).status).to.equal(429);
    });
  });
});
