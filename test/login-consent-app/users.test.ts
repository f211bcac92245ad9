import { expect } from 'chai';
import type { Knex } from 'knex';
import { usersCommand } from '../../login-consent-app/src/cli/users.js';
import { connectDatabase, migrateDatabase } from '../../login-consent-app/src/users/db.js';
import { hashPassword, verifyPassword } from '../../login-consent-app/src/users/passwords.js';
import { createUserStore, type UserStore } from '../../login-consent-app/src/users/store.js';
import { createThrottle } from '../../login-consent-app/src/users/throttle.js';
import { authenticate } from '../../login-consent-app/src/users/authenticate.js';
import { describeEachBackend, type Database } from '../helpers/databases.js';

describe('login-consent-app: passwords', () => {
  it('hashes with argon2id (19 MiB, 2 passes, 1 lane), salted, and verifies', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).to.match(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.to.equal(b);
    expect(await verifyPassword(a, 'correct horse')).to.equal(true);
    expect(await verifyPassword(a, 'correct horsE')).to.equal(false);
    expect(await verifyPassword('not a hash', 'x')).to.equal(false);
  });

  it('refuses passwords shorter than 6 characters', async () => {
    let failed = false;
    await hashPassword('12345').catch(() => (failed = true));
    expect(failed).to.equal(true);
  });
});

describeEachBackend('login-consent-app: users, lock-out and the users CLI', (backend) => {
  let db: Database;
  let knex: Knex;
  let users: UserStore;
  let now = 1_000_000;

  before(async () => {
    db = await backend.create();
    knex = connectDatabase(db.dsn);
    await migrateDatabase(knex);
    await migrateDatabase(knex); // twice: start-up runs it every time
    users = createUserStore(knex, () => now);
  });
  after(async () => {
    await knex?.destroy();
    await db?.drop();
  });

  it('stores users by normalized e-mail, with a UUID subject, and refuses duplicates', async () => {
    const user = await users.add({ email: '  Carol@Example.COM ', password: 'carol-password', name: 'Carol' });
    expect(user).to.include({ email: 'carol@example.com', name: 'Carol', username: 'carol', emailVerified: false, disabled: false });
    expect(user.id).to.match(/^[0-9a-f-]{36}$/);
    expect((await users.byEmail('CAROL@example.com'))?.id).to.equal(user.id);
    expect((await users.byId(user.id))?.email).to.equal('carol@example.com');
    let duplicate = '';
    await users.add({ email: 'carol@example.com', password: 'another-one' }).catch((err: Error) => (duplicate = err.message));
    expect(duplicate).to.include('exists already');
  });

  it('locks per account and per IP, and unlocks when the lock is over', async () => {
    const throttle = createThrottle(knex, { account: { limit: 2, windowMs: 1000, lockMs: 5000 }, ip: { limit: 3, windowMs: 1000, lockMs: 5000 } }, () => now);
    await users.add({ email: 'dave@example.com', password: 'dave-password' });
    const attempt = (password: string, ip = '10.0.0.1') => authenticate({ users, throttle }, { email: 'dave@example.com', password, ip });
    expect(await attempt('wrong')).to.deep.equal({ ok: false, reason: 'invalid' });
    expect(await attempt('wrong')).to.deep.equal({ ok: false, reason: 'invalid' });
    expect(await attempt('dave-password')).to.deep.equal({ ok: false, reason: 'locked', retryAfterMs: 5000 });
    now += 5001;
    expect((await attempt('dave-password')).ok).to.equal(true);
    // A window that ran out starts counting afresh.
    await attempt('wrong', '10.0.0.2');
    now += 1001;
    await attempt('wrong', '10.0.0.2');
    expect((await attempt('dave-password', '10.0.0.2')).ok).to.equal(true);
  });

  it('CLI: add reads the password, list shows users, disable ends their Tessera sessions, enable undoes it', async () => {
    const lines: string[] = [];
    const revoked: string[] = [];
    const io = {
      out: (line: string) => lines.push(line),
      readPassword: async () => 'erin-password',
      tessera: {
        revokeLoginSessions: async (t: { subject?: string }) => void revoked.push(`login:${t.subject ?? ''}`),
        revokeConsentSessions: async (t: { subject?: string }) => void revoked.push(`consent:${t.subject ?? ''}`),
      },
    };
    expect(await usersCommand(users, ['add', 'erin@example.com'], { name: 'Erin', verified: true }, io)).to.equal(0);
    const erin = await users.byEmail('erin@example.com');
    expect(erin).to.include({ name: 'Erin', emailVerified: true });
    expect(await verifyPassword(erin?.passwordHash ?? '', 'erin-password')).to.equal(true);

    expect(await usersCommand(users, ['list'], {}, io)).to.equal(0);
    expect(lines.some((l) => l.startsWith(`erin@example.com\t${erin?.id ?? ''}\tErin\tverified\tactive`))).to.equal(true);

    expect(await usersCommand(users, ['disable', 'erin@example.com'], {}, io)).to.equal(0);
    expect((await users.byEmail('erin@example.com'))?.disabled).to.equal(true);
    expect(revoked).to.deep.equal([`login:${erin?.id ?? ''}`, `consent:${erin?.id ?? ''}`]);
    expect(await usersCommand(users, ['enable', 'erin@example.com'], {}, io)).to.equal(0);
    expect((await users.byEmail('erin@example.com'))?.disabled).to.equal(false);
    expect(await usersCommand(users, ['disable', 'nobody@example.com'], {}, io)).to.equal(1);
  });
});
