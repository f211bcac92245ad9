import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { connect, createStorage, migrateUp } from '../../../server/src/storage/knex/index.js';
import type { DeviceRequest } from '../../../server/src/oauth2/device/model.js';
import type { DeviceChallenge } from '../../../server/src/flows/flow.js';
import { describeEachBackend, type Database } from '../../helpers/databases.js';
import { runCli } from '../../helpers/cli.js';

const HOUR = 3_600_000;

function device(expiresAt: number): DeviceRequest {
  return {
    id: randomBytes(8).toString('hex'),
    clientId: 'tv',
    deviceCode: randomBytes(16).toString('hex'),
    userCode: randomBytes(16).toString('hex'),
    state: 'pending',
    scope: ['openid'],
    audience: [],
    interval: 5,
    lastPolledAt: null,
    requestedAt: expiresAt - 10 * 60_000,
    expiresAt,
  };
}

function challenge(expiresAt: number): DeviceChallenge {
  return { id: randomBytes(16).toString('hex'), state: 'device_requested', browser: 'b', network: 'n', failures: 0, requestedAt: expiresAt - 30 * 60_000, expiresAt };
}

describeEachBackend('tessera janitor: device requests (RFC 8628)', (backend) => {
  let db: Database;
  before(async () => {
    db = await backend.create();
    const conn = connect(db.dsn);
    await migrateUp(conn);
    await createStorage(conn).close();
  });
  after(async () => {
    await db?.drop();
  });

  it('removes expired device requests and challenges with `--requests`, keeps live ones', async () => {
    const now = Date.now();
    const live = device(now + HOUR);
    const expired = device(now - 25 * HOUR);
    const liveChallenge = challenge(now + HOUR);
    const expiredChallenge = challenge(now - 25 * HOUR);
    const storage = createStorage(connect(db.dsn));
    try {
      expect(await storage.devices.create(live)).to.equal(true);
      expect(await storage.devices.create(expired)).to.equal(true);
      // A user code is unique among stored requests: the same hash is refused, so the caller draws another.
      expect(await storage.devices.create({ ...device(now + HOUR), userCode: live.userCode })).to.equal(false);
      await storage.devices.createChallenge(liveChallenge);
      await storage.devices.createChallenge(expiredChallenge);
    } finally {
      await storage.close();
    }

    const run = await runCli(['janitor', '--dsn', db.dsn, '--requests', '--keep-if-younger', '24h', '--batch-size', '1']);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/^device requests: removed 2 in /m);

    const after = createStorage(connect(db.dsn));
    try {
      expect(await after.devices.get(live.id)).to.not.equal(undefined);
      expect(await after.devices.get(expired.id)).to.equal(undefined);
      expect(await after.devices.findChallenge('challenge', liveChallenge.id)).to.not.equal(undefined);
      expect(await after.devices.findChallenge('challenge', expiredChallenge.id)).to.equal(undefined);
    } finally {
      await after.close();
    }
  });
});
