import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, isIP, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import type { Resolve } from '../../../server/src/lib/outbound-request.js';
import { describeEachBackend } from '../../helpers/databases.js';
import { useTessera, type Harness } from '../../helpers/tessera.js';
import { request } from '../../helpers/http.js';
import { createClient } from '../../helpers/clients.js';
import { Browser } from '../../helpers/browser.js';
import { FLOW_URLS, runFlow } from '../../helpers/flow.js';
import { startReceiver, type Receiver } from '../../helpers/receiver.js';

/*
 * Issue 12, class 9: backchannel_logout_uri is a URL the server POSTs to, so
 * it is held to SSRF rules (server/src/lib/outbound-policy.ts) when it is
 * registered (POST, PUT, PATCH /admin/clients) and again at each delivery,
 * against the addresses its host resolves to then (DNS rebinding), which
 * are the addresses connected to. frontchannel_logout_uri, loaded by the
 * browser, follows the redirect URI scheme rules.
 */

const REDIRECT = 'http://127.0.0.1:9999/cb';

/** A TCP listener that only counts connections: it sees an attempt whatever the protocol. */
async function startCounter(): Promise<{ port: number; count: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    count: () => connections,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A resolver with fixed answers, as DNS would give them at delivery time. */
function resolverOf(hosts: Readonly<Record<string, readonly string[]>>): Resolve {
  const table = new Map(Object.entries(hosts));
  return async (hostname) => {
    const addresses = table.get(hostname);
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: isIP(address) }));
  };
}

function registration(harness: Harness) {
  const create = (body: Record<string, unknown>) => request<Record<string, unknown>>(harness.t.adminUrl, 'POST', '/admin/clients', { json: { redirect_uris: [REDIRECT], ...body } });
  /** The three ways a URI gets stored: create, replace, patch. Each answer, and what is stored afterwards. */
  async function everyWay(field: string, value: string): Promise<Array<{ how: string; status: number; error: unknown; stored: unknown }>> {
    const out = [];
    const created = await create({ [field]: value });
    out.push({ how: 'POST', status: created.status, error: created.body['error'], stored: created.body[field] });
    const base = await create({});
    const id = String(base.body['client_id']);
    const put = await request<Record<string, unknown>>(harness.t.adminUrl, 'PUT', `/admin/clients/${id}`, { json: { redirect_uris: [REDIRECT], [field]: value } });
    const afterPut = await request<Record<string, unknown>>(harness.t.adminUrl, 'GET', `/admin/clients/${id}`);
    out.push({ how: 'PUT', status: put.status, error: put.body['error'], stored: afterPut.body[field] });
    const patch = await request<Record<string, unknown>>(harness.t.adminUrl, 'PATCH', `/admin/clients/${id}`, { json: [{ op: 'replace', path: `/${field}`, value }] });
    const afterPatch = await request<Record<string, unknown>>(harness.t.adminUrl, 'GET', `/admin/clients/${id}`);
    out.push({ how: 'PATCH', status: patch.status, error: patch.body['error'], stored: afterPatch.body[field] });
    return out;
  }
  return {
    async refused(field: string, value: string) {
      for (const answer of await everyWay(field, value)) {
        expect(answer.status, `${answer.how} ${value}`).to.equal(400);
        expect(answer.error, `${answer.how} ${value}`).to.equal('invalid_client_metadata');
        expect(answer.stored ?? '', `${answer.how} ${value}: nothing stored`).to.equal('');
      }
    },
    async accepted(field: string, value: string) {
      for (const answer of await everyWay(field, value)) {
        expect(answer.status, `${answer.how} ${value}`).to.be.oneOf([200, 201]);
        expect(answer.stored, `${answer.how} ${value}`).to.equal(value);
      }
    },
  };
}

/** A whole flow for `subject` with `clientId`, then its login sessions ended by the admin API, which notifies the clients. */
async function signInAndEndSessions(harness: Harness, clientId: string, subject: string): Promise<void> {
  const verifier = randomBytes(32).toString('base64url');
  const params = new URLSearchParams({
    client_id: clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid',
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  const callback = await runFlow(new Browser(), harness.t.adminUrl, `${harness.t.publicUrl}/oauth2/auth?${params.toString()}`, { login: { subject, remember: true } });
  expect(callback.searchParams.get('code')).to.be.a('string');
  const ended = await request(harness.t.adminUrl, 'DELETE', `/admin/oauth2/auth/sessions/login?subject=${subject}`);
  expect(ended.status).to.equal(204);
  await harness.t.tessera.notifier.drain();
}

const ALWAYS_REFUSED = [
  'https://169.254.169.254/latest/meta-data/',
  'https://[fe80::1]/bc',
  'https://0.0.0.0/bc',
  'https://[::]/bc',
  'https://224.0.0.1/bc',
  'https://[fd00:ec2::254]/latest/meta-data/',
  'https://[fd20:ce::254]/computeMetadata/v1/',
  'https://[::5db8:d822]/bc',
  'https://[::ffff:0:a9fe:a9fe]/bc',
  'https://[64:ff9b:1::a00:5]/bc',
  'https://[::ffff:169.254.169.254]/bc',
];

describeEachBackend('back-channel logout URIs: default policy', (backend) => {
  const harness = useTessera(backend, FLOW_URLS, { resolve: resolverOf({ 'rebound.test': ['127.0.0.1'] }) });
  const reg = registration(harness);
  let counter: Awaited<ReturnType<typeof startCounter>>;
  before(async () => (counter = await startCounter()));
  after(async () => counter?.close());

  it('refuses loopback, private, link-local and plain http at registration (POST, PUT, PATCH), storing nothing', async () => {
    const refused = [
      'http://rp.example.com/bc',
      'https://127.0.0.1/bc',
      'https://2130706433/bc',
      'https://0x7f.1/bc',
      'https://localhost/bc',
      'https://rp.localhost/bc',
      'https://[::1]/bc',
      'https://[::ffff:127.0.0.1]/bc',
      'https://10.0.0.5/bc',
      'https://172.16.3.4/bc',
      'https://192.168.1.10/bc',
      'https://100.64.0.1/bc',
      'https://[fd12:3456::1]/bc',
      ...ALWAYS_REFUSED,
    ];
    for (const uri of refused) await reg.refused('backchannel_logout_uri', uri);
  });

  it('accepts https to public names and addresses (names are checked again at delivery)', async () => {
    for (const uri of ['https://rp.example.com/logout/back', 'https://93.184.216.34:8443/bc', 'https://rebound.test/bc']) {
      await reg.accepted('backchannel_logout_uri', uri);
    }
  });

  it('front-channel logout URIs: https, or http on loopback only', async () => {
    await reg.refused('frontchannel_logout_uri', 'http://rp.example.com/front');
    await reg.accepted('frontchannel_logout_uri', 'https://rp.example.com/front');
    await reg.accepted('frontchannel_logout_uri', 'http://127.0.0.1:9999/front');
  });

  it('at delivery, a stored loopback URI (registered before these rules) is not connected to', async () => {
    const client = await createClient(harness.t.adminUrl, { redirect_uris: [REDIRECT], scope: 'openid', backchannel_logout_uri: 'https://rp.example.com/bc' });
    const stored = await harness.t.tessera.storage.clients.get(client.client_id);
    if (!stored) throw new Error('the client is not stored');
    await harness.t.tessera.storage.clients.replace({ ...stored, backchannel_logout_uri: `http://127.0.0.1:${counter.port}/bc` });
    const before = counter.count();
    await signInAndEndSessions(harness, client.client_id, 'legacy-row-user');
    expect(counter.count()).to.equal(before);
  });

  it('at delivery, a name that now resolves to a loopback address (DNS rebinding) is not connected to', async () => {
    const client = await createClient(harness.t.adminUrl, { redirect_uris: [REDIRECT], scope: 'openid', backchannel_logout_uri: `https://rebound.test:${counter.port}/bc` });
    const before = counter.count();
    await signInAndEndSessions(harness, client.client_id, 'rebound-user');
    expect(counter.count()).to.equal(before);
  });
});

describeEachBackend('back-channel logout URIs: --dev', (backend) => {
  const harness = useTessera(backend, { ...FLOW_URLS, dev: true });
  const reg = registration(harness);

  it('accepts loopback, over http too', async () => {
    for (const uri of ['http://127.0.0.1:3000/bc', 'http://localhost:3000/bc', 'https://[::1]:3000/bc']) await reg.accepted('backchannel_logout_uri', uri);
  });

  it('still refuses plain http elsewhere, private and link-local addresses, and its own ports', async () => {
    const port = new URL(harness.t.publicUrl).port;
    const refused = ['http://rp.example.com/bc', 'https://10.0.0.5/bc', `http://127.0.0.1:${port}/oauth2/revoke`, `http://localhost:${port}/oauth2/token`, ...ALWAYS_REFUSED];
    for (const uri of refused) await reg.refused('backchannel_logout_uri', uri);
  });
});

describeEachBackend('back-channel logout URIs: allow_private_networks', (backend) => {
  const hosts = { 'rp.internal.test': ['127.0.0.1'], 'split.test': ['127.0.0.1', '169.254.169.254'] };
  const harness = useTessera(backend, { ...FLOW_URLS, oauth2: { backchannel_logout: { allow_private_networks: true } } }, { resolve: resolverOf(hosts) });
  const reg = registration(harness);
  let receiver: Receiver;
  let counter: Awaited<ReturnType<typeof startCounter>>;
  before(async () => {
    receiver = await startReceiver();
    counter = await startCounter();
  });
  after(async () => {
    await receiver?.close();
    await counter?.close();
  });

  it('accepts private and loopback destinations, over http too', async () => {
    for (const uri of ['https://10.0.0.5/bc', 'http://192.168.1.10:8080/bc', 'http://127.0.0.1:3000/bc', 'http://rp.internal.test/bc', 'http://[fd12::1]/bc']) {
      await reg.accepted('backchannel_logout_uri', uri);
    }
  });

  it('still refuses link-local and metadata addresses, plain http to public addresses, and its own ports', async () => {
    const port = new URL(harness.t.publicUrl).port;
    for (const uri of [...ALWAYS_REFUSED, 'https://100.100.100.200/bc', 'http://93.184.216.34/bc', `http://127.0.0.1:${port}/oauth2/revoke`]) {
      await reg.refused('backchannel_logout_uri', uri);
    }
  });

  it('delivers to the address it checked: a name only the injected resolver knows reaches the receiver with a valid token', async () => {
    const uri = new URL(receiver.url);
    uri.hostname = 'rp.internal.test';
    const client = await createClient(harness.t.adminUrl, { redirect_uris: [REDIRECT], scope: 'openid', backchannel_logout_uri: uri.href });
    await signInAndEndSessions(harness, client.client_id, 'private-net-user');
    expect(receiver.bodies).to.have.length(1);
    const token = new URLSearchParams(receiver.bodies[0]).get('logout_token') ?? '';
    const jwks = (await request<JSONWebKeySet>(harness.t.publicUrl, 'GET', '/.well-known/jwks.json')).body;
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: harness.t.config.urls.self.issuer, audience: client.client_id });
    expect(payload).to.include({ sub: 'private-net-user' });
  });

  it('refuses a name when any of its addresses is refused, connecting to none', async () => {
    const client = await createClient(harness.t.adminUrl, { redirect_uris: [REDIRECT], scope: 'openid', backchannel_logout_uri: `http://split.test:${counter.port}/bc` });
    const before = counter.count();
    await signInAndEndSessions(harness, client.client_id, 'split-user');
    expect(counter.count()).to.equal(before);
  });
});
