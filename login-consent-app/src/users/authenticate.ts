import { dummyHash, verifyPassword } from './passwords.js';
import type { UserStore } from './store.js';
import type { Throttle } from './throttle.js';
import { normalizeEmail, type User } from './user.js';

export type AuthResult =
  | { readonly ok: true; readonly user: User }
  /** Wrong e-mail, wrong password or disabled account: deliberately one answer. */
  | { readonly ok: false; readonly reason: 'invalid' }
  | { readonly ok: false; readonly reason: 'locked'; readonly retryAfterMs: number };

export interface Credentials {
  readonly email: string;
  readonly password: string;
  readonly ip: string;
}

/**
 * Checks e-mail and password under the lock-out rules. The lock is checked
 * before the password, so a locked account cannot be probed; every miss costs
 * one argon2id verification (against a dummy hash for unknown addresses), so
 * timing does not tell which accounts exist.
 */
export async function authenticate(deps: { users: UserStore; throttle: Throttle }, credentials: Credentials): Promise<AuthResult> {
  const attempt = { account: normalizeEmail(credentials.email), ip: credentials.ip };
  const retryAfterMs = await deps.throttle.retryAfterMs(attempt);
  if (retryAfterMs > 0) return { ok: false, reason: 'locked', retryAfterMs };

  const found = await deps.users.byEmail(attempt.account);
  const matches = await verifyPassword(found?.passwordHash ?? (await dummyHash()), credentials.password);
  if (!found || !matches || found.disabled) {
    await deps.throttle.recordFailure(attempt);
    return { ok: false, reason: 'invalid' };
  }
  await deps.throttle.recordSuccess(attempt);
  const { passwordHash: _hash, ...user } = found;
  return { ok: true, user };
}
