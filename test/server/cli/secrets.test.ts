import { expect } from 'chai';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import type { JsonWebKey, JsonWebKeySet } from '@tessera/sdk';
import { describeEachBackend, type Database } from '../../helpers/databases.js';
import { startTessera, type Running } from '../../helpers/tessera.js';
import { runCli, startServe, type CliResult } from '../../helpers/cli.js';
import { createClient, type CreatedClient } from '../../helpers/clients.js';
import { FLOW_URLS } from '../../helpers/flow.js';
import { request, type Answer } from '../../helpers/http.js';
import { KEYS_CHECK_TTL_MS } from '../../../server/src/http/health.js';
import { introspect, obtainTokens, refresh, expectError } from '../../e2e/tokens-helpers.js';

/*
 * README "System secret rotation": prepend a new secret, run `tessera secrets
 * rotate` (re-seals every private key under the first secret), drop the old
 * secret. A process refuses to start (exit 2, one line) when a stored key
 * opens with none of its secrets, and is not ready when another process
 * re-sealed under a secret it lacks.
 */

const OLD = 'old-system-secret-that-is-long-enough-0123456789';
const NEW = 'new-system-secret-that-is-long-enough-9876543210';
const ID_TOKEN_SET = 'hydra.openid.id-token';
const REDIRECT = 'http://127.0.0.1:9999/callback';

const withSecrets = (...system: string[]) => ({ ...FLOW_URLS, secrets: { system } });
const rotate = (db: Database, ...system: string[]): Promise<CliResult> =>
  runCli(['secrets', 'rotate'], { env: { DSN: db.dsn, SECRETS_SYSTEM: system.join(',') } });
const summary = (r: CliResult) => r.stdout.split('\n')[0];

/** Probes /health/ready until it answers `status`, for at most two cache intervals; the last answer. */
async function readyWithin(base: string, status: number): Promise<Answer<{ errors?: Record<string, string> }>> {
  const deadline = Date.now() + 2 * KEYS_CHECK_TTL_MS + 2000;
  for (;;) {
    const answer = await request<{ errors?: Record<string, string> }>(base, 'GET', '/health/ready');
    if (answer.status === status || Date.now() > deadline) {
      expect(answer.status, answer.text).to.equal(status);
      return answer;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function keySet(t: Running, setId: string): Promise<JsonWebKey[]> {
  const res = await request<JsonWebKeySet>(t.adminUrl, 'GET', `/admin/keys/${setId}`);
  expect(res.status, res.text).to.equal(200);
  return res.body.keys;
}

async function addKey(t: Running, setId: string, alg: string): Promise<JsonWebKey> {
  const res = await request<JsonWebKeySet>(t.adminUrl, 'POST', `/admin/keys/${setId}`, { json: { alg } });
  expect(res.status, res.text).to.equal(201);
  return res.body.keys[0] as JsonWebKey;
}

async function serveExit(db: Database, system: string, extra: string[] = []): Promise<{ code: number | null; output: string }> {
  const served = startServe(['all', ...extra], {
    env: { DSN: db.dsn, SECRETS_SYSTEM: system, URLS_SELF_ISSUER: 'http://127.0.0.1:1', SERVE_PUBLIC_PORT: '0', SERVE_ADMIN_PORT: '0' },
  });
  const timer = setTimeout(() => served.child.kill('SIGKILL'), 20_000);
  const code = await served.exited;
  clearTimeout(timer);
  return { code, output: served.output() };
}

describeEachBackend('tessera secrets rotate', (backend) => {
  let db: Database;
  let t: Running | undefined;
  let client: CreatedClient;
  let original: { idToken: JsonWebKey[]; other: JsonWebKey[] };
  let old: { refresh: string; access: string };

  before(async function () {
    this.timeout(60_000);
    db = await backend.create();
    t = await startTessera(db, withSecrets(OLD));
    await addKey(t, 'app.signing', 'ES256');
    client = await createClient(t.adminUrl, { redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'], scope: 'openid offline_access' });
    const tokens = await obtainTokens(t, client, { scope: 'openid offline_access', redirectUri: REDIRECT });
    old = { refresh: tokens.refresh_token ?? '', access: tokens.access_token };
    original = { idToken: await keySet(t, ID_TOKEN_SET), other: await keySet(t, 'app.signing') };
    await t.stop();
    t = undefined;
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  it('without rotation, a server whose secrets open no stored key refuses to start: exit 2, one line naming the key', async function () {
    this.timeout(60_000);
    for (const extra of [[], ['--workers', '2']]) {
      const { code, output } = await serveExit(db, NEW, extra);
      expect(code, output).to.equal(2);
      const lines = output.split('\n').filter((l) => l.startsWith('config error:'));
      // One line per process (each worker of --workers says the same).
      expect(lines.length, output).to.equal(extra.length === 0 ? 1 : new Set(lines).size === 1 ? lines.length : -1);
      expect(lines[0]).to.match(/^config error: secrets\.system: no configured secret opens 2 stored private key\(s\) \(/);
      expect(lines[0]).to.include(`${ID_TOKEN_SET}/${original.idToken[0]?.kid}`).and.include('tessera secrets rotate');
    }
  });

  it('re-seals every key under the first secret and reports counts; a second run re-seals nothing', async function () {
    this.timeout(30_000);
    const first = await rotate(db, NEW, OLD);
    expect(first.code, first.stderr).to.equal(0);
    expect(summary(first)).to.equal('private keys: 2 re-sealed under the first secret, 0 already under it, 0 unreadable');
    expect(first.stdout).to.match(/opaque tokens .* signed with a secret you drop stop working/);
    const again = await rotate(db, NEW, OLD);
    expect(summary(again)).to.equal('private keys: 0 re-sealed under the first secret, 2 already under it, 0 unreadable');
  });

  it('after dropping the old secret: same keys, code exchange and ID tokens work; old opaque tokens are dead, as documented', async function () {
    this.timeout(30_000);
    t = await startTessera(db, withSecrets(NEW));
    expect(await keySet(t, ID_TOKEN_SET)).to.deep.equal(original.idToken);
    expect(await keySet(t, 'app.signing')).to.deep.equal(original.other);
    expect((await request(t.publicUrl, 'GET', '/health/ready')).status).to.equal(200);

    const tokens = await obtainTokens(t, client, { scope: 'openid offline_access', redirectUri: REDIRECT });
    const jwks = (await request<JSONWebKeySet>(t.publicUrl, 'GET', '/.well-known/jwks.json')).body;
    const { protectedHeader } = await jwtVerify(tokens.id_token ?? '', createLocalJWKSet(jwks), { audience: client.client_id });
    expect(protectedHeader.kid).to.equal(original.idToken[0]?.kid);

    expectError(await refresh(t, client, old.refresh), 400, 'invalid_grant', 'refresh token signed with the dropped secret');
    expect((await introspect(t, old.access)).active).to.equal(false);
  });

  it('a secret list that opens nothing makes rotate exit 1 and name the keys, changing nothing', async () => {
    const r = await rotate(db, OLD);
    expect(r.code).to.equal(1);
    expect(summary(r)).to.equal('private keys: 0 re-sealed under the first secret, 0 already under it, 2 unreadable');
    expect(r.stdout).to.include(`unreadable: ${ID_TOKEN_SET}/${original.idToken[0]?.kid}`);
  });

  it('a running process is not ready once another re-sealed its keys under a secret it lacks', async function () {
    this.timeout(30_000);
    await t?.stop();
    t = await startTessera(db, withSecrets(NEW));
    expect((await request(t.publicUrl, 'GET', '/health/ready')).status).to.equal(200);
    const third = 'third-system-secret-that-is-long-enough-000000000';
    expect((await rotate(db, third, NEW)).code).to.equal(0);
    // The keys check is cached for KEYS_CHECK_TTL_MS (5 s): the probe turns 503 within one interval.
    const ready = await readyWithin(t.adminUrl, 503);
    expect(ready.body.errors).to.have.property('keys');
    // Put back as it was for the suites after this one.
    expect((await rotate(db, NEW, third)).code).to.equal(0);
    expect((await readyWithin(t.publicUrl, 200)).status).to.equal(200);
  });
});

describeEachBackend('tessera secrets rotate while serving', (backend) => {
  let db: Database;
  let t: Running | undefined;

  before(async () => {
    db = await backend.create();
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  /** Every key of `setId` by kid, private members included, read by a server with `system`. */
  async function materials(system: string[], setId: string): Promise<Map<string, string | undefined>> {
    const reader = await startTessera(db, withSecrets(...system));
    try {
      return new Map((await keySet(reader, setId)).map((k) => [k.kid, k.d]));
    } finally {
      await reader.stop();
    }
  }

  it('two rotations beside a server creating and replacing keys lose no key and overwrite no write', async function () {
    this.timeout(120_000);
    // A server that still seals with the old secret only: the hardest case (its keys need re-sealing too).
    t = await startTessera(db, withSecrets(OLD));
    const expected = new Map<string, string | undefined>();
    for (let i = 0; i < 150; i++) {
      const key = await addKey(t, 'bulk', i % 2 ? 'ES256' : 'EdDSA');
      expected.set(key.kid, key.d);
    }
    const seeded = [...expected.keys()];
    const running = t;
    const writes = (async () => {
      for (let i = 0; i < 60; i++) {
        const key = await addKey(running, 'bulk', 'ES256');
        expected.set(key.kid, key.d);
        // Replace a seeded key with fresh material (PUT deletes and inserts the row).
        const fresh = { ...(await addKey(running, 'scratch', 'ES256')), kid: seeded[(i * 7) % seeded.length] ?? '' };
        const put = await request(running.adminUrl, 'PUT', `/admin/keys/bulk/${fresh.kid}`, { json: fresh });
        expect(put.status, put.text).to.equal(200);
        expected.set(fresh.kid, fresh.d);
      }
    })();
    const rotations = await Promise.all([rotate(db, NEW, OLD), rotate(db, NEW, OLD), writes]);
    for (const r of rotations.slice(0, 2) as CliResult[]) {
      expect(r.code, r.stderr).to.equal(0);
      expect(summary(r)).to.match(/^private keys: \d+ re-sealed under the first secret, \d+ already under it, 0 unreadable$/);
    }
    await t.stop();
    t = undefined;

    // Keys the old-secret server sealed after the rotations' last pass: one more run, with nothing racing.
    expect((await rotate(db, NEW, OLD)).code).to.equal(0);
    const settled = await rotate(db, NEW, OLD);
    expect(summary(settled)).to.match(/^private keys: 0 re-sealed under the first secret, \d+ already under it, 0 unreadable$/);
    expect(await materials([NEW], 'bulk')).to.deep.equal(expected);
  });
});
