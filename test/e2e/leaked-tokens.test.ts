import { createHash, createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { lintSource } from '@secretlint/core';
import { creator } from '@tessera/secretlint-rule-tokens';
import { describeEachBackend } from '../helpers/databases.js';
import { TEST_SECRET, useTessera } from '../helpers/tessera.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { FLOW_URLS } from '../helpers/flow.js';
import { request } from '../helpers/http.js';
import { runCli } from '../helpers/cli.js';
import { introspect, obtainTokens, refresh, token, basicOf, type TokenBody } from './tokens-helpers.js';
import { FIXTURES } from '../scanners/fixtures.js';

/*
 * Issue 18, "done when": a token minted by a running Tessera, written into a
 * file among look-alikes, is found by the secretlint rule and by `tessera
 * scan`, classified offline, and after `tessera scan --report` (or a signed
 * public report) introspects inactive with the rest of its grant; the report
 * is listed, and the client's owner is told through the signed webhook.
 */

const REDIRECT = 'http://127.0.0.1:9999/callback';
const SCOPE = 'openid offline_access';
const WEBHOOK_SECRET = 'webhook-secret-for-the-leak-tests-0123456789';

/** GitHub's own published example (secret-scanning partner programme docs): its key, a payload and its signature. */
const GITHUB_EXAMPLE = {
  keyId: '90a421169f0a406205f1563a953312f0be898d3c7b6c06b681aa86a874555f4a',
  key: ['-----BEGIN PUBLIC KEY-----', 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE9MJJHnMfn2+H4xL4YaPDA4RpJqUq', 'kCmRCBnYERxZanmcpzQSXs1X/AljlKkbJ8qpVIW4clayyef9gWhFbNHWAA==', '-----END PUBLIC KEY-----'].join('\n'),
  payload: '[{"token":"some_token","type":"some_type","url":"some_url"}]',
  signature: 'MEUCIQDKZokqnCjrRtw0tni+2Ltvl/uiMJ1EGumEsp1BsNr32AIgQY1YXD2nlj+XNfGK4rBfkMJ1JDOQcYXxa2sY8FNkrKc=',
};

interface Delivery {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** The owner's webhook on 127.0.0.1: records each delivery with its headers; answers `status`. */
async function startWebhook(): Promise<{ url: string; deliveries: Delivery[]; status: { code: number }; server: Server }> {
  const deliveries: Delivery[] = [];
  const status = { code: 200 };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      deliveries.push({ headers: req.headers, body });
      res.statusCode = status.code;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/leaks`, deliveries, status, server };
}

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describeEachBackend('leaked tokens: scan, report, revoke the grant', (backend) => {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const otherKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = (k: KeyObject) => k.export({ type: 'spki', format: 'pem' }).toString();
  const hook = { url: 'http://127.0.0.1:1/unset', secret: WEBHOOK_SECRET, allow_private_networks: true };
  let webhook: Awaited<ReturnType<typeof startWebhook>>;
  before(async () => {
    webhook = await startWebhook();
    hook.url = webhook.url;
  });
  after(() => new Promise<void>((r) => (webhook ? webhook.server.close(() => r()) : r())));
  const h = useTessera(backend, {
    ...FLOW_URLS,
    oauth2: {
      leak_reports: {
        owner_webhook: hook,
        public: { enabled: true, senders: [{ id: 'github', public_keys: [{ key_identifier: 'gh-key-1', key: pem(keys.publicKey) }, { key_identifier: GITHUB_EXAMPLE.keyId, key: GITHUB_EXAMPLE.key }] }], rate_limit: { requests: 20, window: '1m' } },
      },
    },
  });
  let client: CreatedClient;
  let dir: string;
  before(async () => {
    client = await createClient(h.t.adminUrl, { redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token', 'client_credentials'], scope: SCOPE, owner: 'team-payments', contacts: ['sec@example.com'] });
    dir = mkdtempSync(join(tmpdir(), 'tessera-leak-'));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  /** A grant with two generations: the first pair (rotated away) and the live second pair. */
  async function grant(): Promise<{ first: TokenBody; second: TokenBody }> {
    const first = await obtainTokens(h.t, client, { scope: SCOPE, redirectUri: REDIRECT });
    const res = await refresh(h.t, client, first.refresh_token ?? '');
    expect(res.status, res.text).to.equal(200);
    return { first, second: res.body };
  }
  const active = async (t: string) => (await introspect(h.t, t)).active;
  const cli = (args: string[], env: Record<string, string> = {}) => runCli(['scan', ...args], { env: { SECRETS_SYSTEM: TEST_SECRET, ...env } });
  const report = (items: unknown) => request<Array<Record<string, unknown>>>(h.t.adminUrl, 'POST', '/admin/oauth2/tokens/leaked', { json: items });

  it('a minted token among look-alikes is found by secretlint and by tessera scan, classified offline; --report revokes its whole grant', async () => {
    const { first, second } = await grant();
    const forged = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8'))['plain.txt'][0].token as string;
    const lookalikes = readFileSync(join(FIXTURES, 'lookalikes.txt'), 'utf8');
    const file = join(dir, 'service.env');
    writeFileSync(file, `${lookalikes}\n# pasted by mistake\nACCESS_TOKEN=${second.access_token}\nOLD=${forged}\nCOPY=${second.access_token}\n`);

    // secretlint, through its core, with the rule package: the token and the forged one, no look-alike.
    const text = readFileSync(file, 'utf8');
    const lint = await lintSource({ source: { filePath: file, content: text, contentType: 'text' }, options: { config: { rules: [{ id: '@tessera/secretlint-rule-tokens', rule: creator }] } } });
    expect(lint.messages.map((m) => text.slice(m.range[0], m.range[1])).sort()).to.deep.equal([second.access_token, second.access_token, forged].sort());

    // tessera scan with the server's secret: authentic vs forged, no database, token never printed.
    const lines = lookalikes.split('\n').length + 2;
    const scanned = await cli([dir]);
    expect(scanned.code, scanned.stderr).to.equal(1);
    expect(scanned.stdout).to.include(`${file}:${lines}:14: authentic access_token ${second.access_token.slice(0, 11)}…`);
    expect(scanned.stdout).to.include(`${file}:${lines + 1}:5: forged access_token ${forged.slice(0, 11)}…`);
    expect(scanned.stdout + scanned.stderr).not.to.include(second.access_token);
    expect(scanned.stderr).to.include('3 token(s): 2 authentic, 1 forged');

    // --report: the server revokes the live token's grant, every generation of it.
    expect(await active(second.refresh_token ?? '')).to.equal(true);
    const reported = await cli([file, '--report', '--endpoint', h.t.adminUrl]);
    expect(reported.code, reported.stderr).to.equal(1);
    // One report per distinct token: both places it was found say revoked.
    expect(reported.stdout.split('\n').filter((l) => l.endsWith('-> revoked'))).to.have.length(2);
    expect(reported.stdout).not.to.include('forged access_token ory_at_AaI0… ->');
    for (const t of [second.access_token, second.refresh_token ?? '', first.access_token, first.refresh_token ?? '']) expect(await active(t), t.slice(0, 7)).to.equal(false);
    // The refresh token cannot be used either.
    expect((await refresh(h.t, client, second.refresh_token ?? '')).status).to.equal(400);

    // Reported again: already inactive; listed, newest first, with where it was found.
    const again = await cli([file, '--report', '--endpoint', h.t.adminUrl]);
    expect(again.stdout).to.include('-> already_inactive');
    const listed = await request<Array<Record<string, unknown>>>(h.t.adminUrl, 'GET', `/admin/oauth2/tokens/leaked?client_id=${client.client_id}`);
    expect(listed.status, listed.text).to.equal(200);
    const mine = listed.body.filter((r) => r['token_hash'] === sha256(second.access_token));
    expect(mine.map((r) => r['outcome'])).to.deep.equal(['already_inactive', 'revoked']);
    expect(mine[1]).to.include({ channel: 'admin', token_type: 'access_token', client_id: client.client_id, subject: 'user-1', source: 'tessera scan', url: `${file}:${lines}` });
    expect(mine[1]?.['revoked_count']).to.be.at.least(2);
    expect(listed.text).not.to.include(second.access_token);
  });

  it('the admin endpoint answers per item without echoing tokens: revoked, already_inactive, not_ours', async () => {
    const { first, second } = await grant();
    const other = await grant();
    const forged = `ory_at_${'A'.repeat(43)}.${'A'.repeat(43)}`;
    const prefixSwapped = `ory_rt_${second.access_token.slice(7)}`;
    const items = [{ token: second.refresh_token, url: 'https://git.example.com/commit/1', source: 'commit' }, { token: first.refresh_token }, { token: forged }, { token: 'not a token at all' }, { token: prefixSwapped }];
    const res = await report(items);
    expect(res.status, res.text).to.equal(200);
    expect(res.body.map((r) => r['outcome'])).to.deep.equal(['revoked', 'already_inactive', 'not_ours', 'not_ours', 'not_ours']);
    expect(res.body.map((r) => r['token_hash'])).to.deep.equal(items.map((i) => sha256(i.token ?? '')));
    expect(res.body[0]).to.include({ token_type: 'refresh_token', client_id: client.client_id });
    expect(res.body[3]).not.to.have.property('token_type');
    for (const i of items) expect(res.text).not.to.include(i.token);
    // The whole grant went; another grant of the same user and client did not.
    expect(await active(second.access_token)).to.equal(false);
    expect(await active(other.second.access_token)).to.equal(true);
    // The consent stays (README "When a token leaks"): it is listed still.
    const consents = await request<Array<{ consent_request: { client: { client_id: string } } }>>(h.t.adminUrl, 'GET', '/admin/oauth2/auth/sessions/consent?subject=user-1');
    expect(consents.status, consents.text).to.equal(200);
    expect(consents.body.length).to.be.at.least(1);
  });

  it('of concurrent reports of one token, exactly one says revoked', async () => {
    const { second } = await grant();
    const answers = await Promise.all(Array.from({ length: 6 }, () => report([{ token: second.refresh_token }])));
    const outcomes = answers.map((a) => a.body[0]?.['outcome']).sort();
    expect(outcomes).to.deep.equal(['already_inactive', 'already_inactive', 'already_inactive', 'already_inactive', 'already_inactive', 'revoked']);
  });

  it('a client_credentials token is revoked too', async () => {
    const cc = await token(h.t, { grant_type: 'client_credentials' }, basicOf(client));
    expect(cc.status, cc.text).to.equal(200);
    expect((await report([{ token: cc.body.access_token }])).body[0]).to.include({ outcome: 'revoked', revoked_count: 1 });
    expect(await active(cc.body.access_token)).to.equal(false);
  });

  it('refuses malformed reports with 400 invalid_request, writing nothing', async () => {
    for (const body of [{}, [], [{ url: 'x' }], [{ token: 5 }], Array.from({ length: 1001 }, () => ({ token: 'x' }))]) {
      const res = await report(body);
      expect(res.status, JSON.stringify(body).slice(0, 40)).to.equal(400);
      expect(res.body).to.have.property('error', 'invalid_request');
    }
    const noBody = await request(h.t.adminUrl, 'POST', '/admin/oauth2/tokens/leaked');
    expect(noBody.status).to.equal(400);
    const badPage = await request(h.t.adminUrl, 'GET', '/admin/oauth2/tokens/leaked?page_token=zzz');
    expect(badPage.status).to.equal(400);
  });

  it('pages the list with Link rel="next"', async () => {
    const first = await request<unknown[]>(h.t.adminUrl, 'GET', '/admin/oauth2/tokens/leaked?page_size=2');
    expect(first.body).to.have.length(2);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1] ?? '';
    expect(next).to.match(/^\/admin\/oauth2\/tokens\/leaked\?page_size=2&page_token=/);
    const second = await request<Array<{ id: string }>>(h.t.adminUrl, 'GET', next);
    expect(second.body.map((r) => r.id)).not.to.include.members((first.body as Array<{ id: string }>).map((r) => r.id));
  });

  it("tells the client's owner through the signed webhook, never with the token", async () => {
    const { second } = await grant();
    const before = webhook.deliveries.length;
    await report([{ token: second.access_token, url: 'https://paste.example.com/x', source: 'paste' }]);
    await until('the webhook delivery', () => webhook.deliveries.some((d, i) => i >= before && d.body.includes(sha256(second.access_token))));
    const delivery = webhook.deliveries.find((d) => d.body.includes(sha256(second.access_token)));
    const body = delivery?.body ?? '';
    const sig = String(delivery?.headers['tessera-signature'] ?? '');
    const t = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig);
    expect(t, sig).to.not.equal(null);
    expect(t?.[2]).to.equal(createHmac('sha256', WEBHOOK_SECRET).update(`${t?.[1]}.${body}`).digest('hex'));
    expect(delivery?.headers['content-type']).to.equal('application/json');
    const parsed = JSON.parse(body) as Record<string, unknown>;
    expect(parsed).to.include({ type: 'oauth2.token.leaked', outcome: 'revoked', token_type: 'access_token', url: 'https://paste.example.com/x', source: 'paste', subject: 'user-1' });
    expect(parsed['client']).to.deep.equal({ client_id: client.client_id, client_name: '', owner: 'team-payments', contacts: ['sec@example.com'] });
    expect(body).not.to.include(second.access_token);
  });

  it('retries the webhook in the background when the owner answers 5xx', async () => {
    const { second } = await grant();
    webhook.status.code = 503;
    try {
      const started = Date.now();
      const res = await report([{ token: second.access_token }]);
      expect(res.body[0]).to.include({ outcome: 'revoked' });
      expect(Date.now() - started, 'the answer does not wait for the webhook').to.be.below(400);
      await until('two attempts', () => webhook.deliveries.filter((d) => d.body.includes(sha256(second.access_token))).length >= 2, 4000);
    } finally {
      webhook.status.code = 200;
    }
  });

  describe('signed public reports (GitHub secret-scanning partner shape)', () => {
    const signed = (body: string | Buffer, key: KeyObject = keys.privateKey, keyId = 'gh-key-1') => ({
      'content-type': 'application/json',
      'Github-Public-Key-Identifier': keyId,
      'Github-Public-Key-Signature': sign('sha256', typeof body === 'string' ? Buffer.from(body) : body, key).toString('base64'),
    });
    const post = (body: string, headers: Record<string, string>) => request<Array<Record<string, unknown>>>(h.t.publicUrl, 'POST', '/oauth2/tokens/leaked', { body, headers });

    it('verifies the signature, revokes a live token with its grant, answers labels by token_hash', async () => {
      const { first, second } = await grant();
      const forged = `ory_rt_${'A'.repeat(43)}.${'A'.repeat(43)}`;
      const body = JSON.stringify([
        { token: second.refresh_token, type: 'tessera_refresh_token', url: 'https://github.com/o/r/blob/x/.env', source: 'content' },
        { token: forged, type: 'tessera_refresh_token', url: 'https://github.com/o/r/blob/x/a', source: 'content' },
      ]);
      const res = await post(body, signed(body));
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.deep.equal([
        { token_hash: sha256(second.refresh_token ?? ''), token_type: 'tessera_refresh_token', label: 'true_positive' },
        { token_hash: sha256(forged), token_type: 'tessera_refresh_token', label: 'false_positive' },
      ]);
      for (const t of [second.access_token, second.refresh_token ?? '', first.access_token]) expect(await active(t)).to.equal(false);
      const listed = await request<Array<Record<string, unknown>>>(h.t.adminUrl, 'GET', '/admin/oauth2/tokens/leaked');
      expect(listed.body.find((r) => r['token_hash'] === sha256(second.refresh_token ?? ''))).to.include({ channel: 'public', sender: 'github', outcome: 'revoked', source: 'content' });
    });

    it('401 and nothing revoked when unsigned, signed by another key, under an unknown key id, or the body was changed', async () => {
      const { second } = await grant();
      const body = JSON.stringify([{ token: second.access_token, type: 't', url: 'u', source: 's' }]);
      const tampered = JSON.stringify([{ token: second.access_token, type: 't', url: 'u2', source: 's' }]);
      const cases: Array<[string, string, Record<string, string>]> = [
        ['unsigned', body, { 'content-type': 'application/json' }],
        ['another key', body, signed(body, otherKeys.privateKey)],
        ['unknown key id', body, signed(body, keys.privateKey, 'gh-key-2')],
        ['changed body', tampered, signed(body)],
        ['garbage signature', body, { ...signed(body), 'Github-Public-Key-Signature': '!!!' }],
        ['unsigned garbage', 'not json', { 'content-type': 'application/json' }],
      ];
      for (const [what, b, headers] of cases) {
        const res = await post(b, headers);
        expect(res.status, `${what}: ${res.text}`).to.equal(401);
        expect(res.body, what).to.have.property('error', 'request_unauthorized');
      }
      expect(await active(second.access_token)).to.equal(true);
    });

    it("accepts GitHub's published example request byte for byte (headers in GitHub's upper case)", async () => {
      const res = await post(GITHUB_EXAMPLE.payload, {
        'content-type': 'application/json',
        'GITHUB-PUBLIC-KEY-IDENTIFIER': GITHUB_EXAMPLE.keyId,
        'GITHUB-PUBLIC-KEY-SIGNATURE': GITHUB_EXAMPLE.signature,
      });
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.deep.equal([{ token_hash: sha256('some_token'), token_type: 'some_type', label: 'false_positive' }]);
    });

    it('a signed but malformed body is 400', async () => {
      for (const body of ['not json', '{}', '[{"token":1,"type":"t"}]', '[{"token":"x","type":"t","url":"a\\u0000b"}]', '[{"token":"\\ud800","type":"t"}]']) {
        const res = await post(body, signed(body));
        expect(res.status, body).to.equal(400);
        expect(res.body, body).to.have.property('error', 'invalid_request');
      }
      // Bytes that are not UTF-8.
      const latin1 = Buffer.from('[{"token":"caf\xe9","type":"t"}]', 'latin1');
      const res = await request(h.t.publicUrl, 'POST', '/oauth2/tokens/leaked', { body: latin1, headers: signed(latin1) });
      expect(res.status, res.text).to.equal(400);
    });

    it('rate-limits each caller (429 with Retry-After)', async () => {
      const body = JSON.stringify([{ token: 'x', type: 't', url: 'u', source: 's' }]);
      let last = 0;
      let retryAfter: string | null = null;
      for (let i = 0; i < 30 && last !== 429; i++) {
        const res = await post(body, signed(body));
        last = res.status;
        retryAfter = res.headers.get('retry-after');
      }
      expect(last).to.equal(429);
      expect(Number(retryAfter)).to.be.within(1, 60);
    });
  });
});

describeEachBackend('leaked tokens: the public endpoint is off by default', (backend) => {
  const h = useTessera(backend, FLOW_URLS);
  it('POST /oauth2/tokens/leaked is 404 and the admin endpoint works without a webhook', async () => {
    const res = await request(h.t.publicUrl, 'POST', '/oauth2/tokens/leaked', { json: [{ token: 'x', type: 't' }] });
    expect(res.status).to.equal(404);
    const admin = await request<Array<Record<string, unknown>>>(h.t.adminUrl, 'POST', '/admin/oauth2/tokens/leaked', { json: [{ token: 'x' }] });
    expect(admin.status, admin.text).to.equal(200);
    expect(admin.body[0]).to.include({ outcome: 'not_ours' });
  });
});
