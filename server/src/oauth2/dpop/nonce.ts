import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * Server nonces (RFC 9449 §8, §9) that every process of a scale-out knows
 * without storing or sharing anything: the nonce of a period is an HMAC of the
 * period's number under a key derived from the system secret. A nonce is
 * accepted during its own period and the next, so one lives between one and
 * two periods; a proof carrying an older one gets `use_dpop_nonce` with the
 * current nonce. What a nonce bounds is how long a proof made in advance stays
 * usable (§11.2); single use is the `jti`'s business.
 */

export interface DpopNonces {
  /** The nonce to hand out now. */
  current(now: number): string;
  /** Whether `nonce` is the current one or the previous period's. */
  accepts(nonce: unknown, now: number): boolean;
}

const NONCE_BYTES = 16;

export function createDpopNonces(systemSecret: string, lifetimeMs: number): DpopNonces {
  const key = createHmac('sha256', systemSecret).update('tessera dpop nonce key').digest();
  const period = (now: number) => Math.floor(now / lifetimeMs);
  const of = (n: number) => createHmac('sha256', key).update(String(n)).digest().subarray(0, NONCE_BYTES);
  let cached: { period: number; nonce: string } | undefined;
  return {
    current(now) {
      const p = period(now);
      if (cached?.period !== p) cached = { period: p, nonce: of(p).toString('base64url') };
      return cached.nonce;
    },
    accepts(nonce, now) {
      if (typeof nonce !== 'string' || nonce.length !== 22) return false;
      const presented = Buffer.from(nonce, 'base64url');
      if (presented.length !== NONCE_BYTES) return false;
      const p = period(now);
      // Both compared, whichever matches: the time taken says nothing about which.
      const current = timingSafeEqual(presented, of(p));
      const previous = timingSafeEqual(presented, of(p - 1));
      return current || previous;
    },
  };
}
