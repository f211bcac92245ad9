import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { hashPassword } from './passwords.js';
import { normalizeEmail, type User } from './user.js';

export interface NewUser {
  readonly email: string;
  readonly password: string;
  readonly name?: string | undefined;
  /** Defaults to the part of the e-mail before the `@`. */
  readonly username?: string | undefined;
  readonly emailVerified?: boolean | undefined;
}

interface Row {
  id: string;
  updated_at: number | string;
  email: string;
  name: string;
  username: string;
  email_verified: boolean | number;
  disabled: boolean | number;
  password_hash: string;
  created_at: number | string;
}

const toUser = (row: Row): User => ({
  id: row.id,
  email: row.email,
  name: row.name,
  username: row.username,
  // SQLite answers 0/1, PostgreSQL booleans.
  emailVerified: Boolean(row.email_verified),
  disabled: Boolean(row.disabled),
  createdAt: new Date(Number(row.created_at)),
});

export type UserStore = ReturnType<typeof createUserStore>;

/** Users in the app's database (table `users`). */
export function createUserStore(knex: Knex, now: () => number = Date.now) {
  const users = () => knex<Row>('users');

  return {
    async add(input: NewUser): Promise<User> {
      const email = normalizeEmail(input.email);
      if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new Error(`"${input.email}" is not an e-mail address.`);
      if (await users().where({ email }).first()) throw new Error(`A user with the e-mail ${email} exists already.`);
      const at = now();
      const row = {
        id: randomUUID(),
        email,
        name: input.name?.trim() ?? '',
        username: input.username?.trim() || email.split('@')[0] || email,
        email_verified: input.emailVerified ?? false,
        disabled: false,
        password_hash: await hashPassword(input.password),
        created_at: at,
        updated_at: at,
      };
      await users().insert(row);
      return toUser(row);
    },

    async byEmail(email: string): Promise<(User & { readonly passwordHash: string }) | undefined> {
      const row = await users().where({ email: normalizeEmail(email) }).first();
      return row ? { ...toUser(row), passwordHash: row.password_hash } : undefined;
    },

    async byId(id: string): Promise<User | undefined> {
      const row = await users().where({ id }).first();
      return row ? toUser(row) : undefined;
    },

    async list(): Promise<User[]> {
      return (await users().select().orderBy('email')).map(toUser);
    },

    /** Returns false when there is no such user. */
    async setDisabled(email: string, disabled: boolean): Promise<boolean> {
      return (await users().where({ email: normalizeEmail(email) }).update({ disabled, updated_at: now() })) > 0;
    },

    async setPassword(email: string, password: string): Promise<boolean> {
      const password_hash = await hashPassword(password);
      return (await users().where({ email: normalizeEmail(email) }).update({ password_hash, updated_at: now() })) > 0;
    },
  };
}
