import type { TesseraAdmin } from '@tessera/sdk';
import type { UserStore } from '../users/store.js';

export interface UsersIo {
  readonly out: (line: string) => void;
  readonly readPassword: (prompt: string) => Promise<string>;
  /** To end a disabled user's Tessera sessions and tokens. */
  readonly tessera: Pick<TesseraAdmin, 'revokeLoginSessions' | 'revokeConsentSessions'>;
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

/**
 * Disables the account, then asks Tessera to end its login sessions and revoke
 * its consents (and so every token issued under them). The app refuses a
 * disabled user even with a remembered session, so a Tessera that cannot be
 * reached right now only delays the token revocation: say so, and fail.
 */
async function disable(users: UserStore, email: string, io: UsersIo): Promise<number> {
  const user = await users.byEmail(email);
  if (!user) {
    io.out(`no user ${email}`);
    return 1;
  }
  await users.setDisabled(email, true);
  io.out(`disabled ${user.email}`);
  try {
    await io.tessera.revokeLoginSessions({ subject: user.id });
    await io.tessera.revokeConsentSessions({ subject: user.id, all: true });
    io.out('ended its Tessera sessions and revoked its tokens');
    return 0;
  } catch (err) {
    io.out(`could not reach Tessera to revoke its sessions and tokens (${err instanceof Error ? err.message : String(err)}); run "users disable" again when it is up`);
    return 1;
  }
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
      return disable(users, needEmail(), io);
    case 'enable': {
      const found = await users.setDisabled(needEmail(), false);
      io.out(found ? `enabled ${email}` : `no user ${email}`);
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
