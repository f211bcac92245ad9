import type { Knex } from 'knex';

/*
 * Lock-out after repeated failed sign-ins, per account and per client IP
 * (OWASP Authentication Cheat Sheet, "Account lockout"). Counted in the
 * database, so every instance of the app sees the same counts and a restart
 * does not reset them. Unknown e-mail addresses are counted like known ones,
 * so a lock-out reveals nothing about which accounts exist.
 */

export interface ThrottleRule {
  /** Failures within `windowMs` that trigger a lock. */
  readonly limit: number;
  readonly windowMs: number;
  /** How long the lock lasts. */
  readonly lockMs: number;
}

export interface ThrottlePolicy {
  readonly account: ThrottleRule;
  readonly ip: ThrottleRule;
}

const MINUTE = 60_000;

/** 5 failures in 15 minutes lock an account for 15 minutes; 20 failures from one IP lock that IP for 15 minutes. */
export const DEFAULT_THROTTLE: ThrottlePolicy = {
  account: { limit: 5, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE },
  ip: { limit: 20, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE },
};

export interface Attempt {
  /** The normalized e-mail typed in, whether or not such a user exists. */
  readonly account: string;
  readonly ip: string;
}

interface Row {
  key: string;
  failures: number;
  window_started_at: number | string;
  locked_until: number | string;
}

export type Throttle = ReturnType<typeof createThrottle>;

export function createThrottle(knex: Knex, policy: ThrottlePolicy = DEFAULT_THROTTLE, now: () => number = Date.now) {
  const table = () => knex<Row>('login_throttle');
  const keys = (attempt: Attempt) => [
    { key: `account:${attempt.account}`, rule: policy.account },
    { key: `ip:${attempt.ip}`, rule: policy.ip },
  ];

  /** Counts one failure; the update that reaches the limit also sets the lock. */
  async function fail(key: string, rule: ThrottleRule): Promise<void> {
    const at = now();
    const counted = await table().where('key', key).andWhere('window_started_at', '>', at - rule.windowMs).increment('failures', 1);
    if (counted === 0) {
      // No row, or its window is over: start a new window (a lock still running is kept).
      await table().insert({ key, failures: 1, window_started_at: at, locked_until: 0 }).onConflict('key').merge(['failures', 'window_started_at']);
    }
    await table()
      .where('key', key)
      .andWhere('failures', '>=', rule.limit)
      .update({ failures: 0, window_started_at: at, locked_until: at + rule.lockMs });
  }

  return {
    /** Milliseconds until this attempt may be made; 0 when neither the account nor the IP is locked. */
    async retryAfterMs(attempt: Attempt): Promise<number> {
      const at = now();
      const rows = await table()
        .whereIn('key', keys(attempt).map((k) => k.key))
        .andWhere('locked_until', '>', at);
      return rows.reduce((longest, row) => Math.max(longest, Number(row.locked_until) - at), 0);
    },

    async recordFailure(attempt: Attempt): Promise<void> {
      for (const { key, rule } of keys(attempt)) await fail(key, rule);
    },

    /** A successful sign-in clears the account's count; the IP's count stays (one right password must not unlock a sprayer). */
    async recordSuccess(attempt: Attempt): Promise<void> {
      await table().where('key', `account:${attempt.account}`).andWhere('locked_until', '<=', now()).delete();
    },
  };
}
