import type { UserStore } from '../users/store.js';

export interface UsersIo {
  readonly out: (line: string) => void;
  readonly readPassword: (prompt: string) => Promise<string>;
}

export interface UsersOptions {
  readonly name?: string | undefined;
  readonly username?: string | undefined;
  readonly verified?: boolean | undefined;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

async function newPassword(io: UsersIo): Promise<string> {
  const password = await io.readPassword('Password: ');
  if (!password) throw new UsageError('No password given.');
  return password;
}

/** `users add|list|disable|enable|password …`; returns the exit code. */
export async function usersCommand(users: UserStore, args: readonly string[], options: UsersOptions, io: UsersIo): Promise<number> {
  const [action, email] = args;
  const needEmail = (): string => {
    if (!email) throw new UsageError(`users ${action ?? ''} needs an e-mail address`);
    return email;
  };
  switch (action) {
    case 'add': {
      const user = await users.add({ email: needEmail(), password: await newPassword(io), name: options.name, username: options.username, emailVerified: options.verified });
      io.out(`added ${user.email} (subject ${user.id})`);
      return 0;
    }
    case 'list':
      for (const u of await users.list()) {
        io.out([u.email, u.id, u.name || '-', u.emailVerified ? 'verified' : 'unverified', u.disabled ? 'disabled' : 'active'].join('\t'));
      }
      return 0;
    case 'disable':
    case 'enable': {
      const found = await users.setDisabled(needEmail(), action === 'disable');
      io.out(found ? `${action}d ${email}` : `no user ${email}`);
      return found ? 0 : 1;
    }
    case 'password': {
      const found = await users.setPassword(needEmail(), await newPassword(io));
      io.out(found ? `password changed for ${email}` : `no user ${email}`);
      return found ? 0 : 1;
    }
    default:
      throw new UsageError('users needs one of: add, list, disable, enable, password');
  }
}
