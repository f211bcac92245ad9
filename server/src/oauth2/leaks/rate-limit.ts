import { rateLimited } from '../../errors/catalog.js';
import type { Clock } from '../../lib/clock.js';
import { callerNetwork } from '../../lib/ip-ranges.js';

/**
 * A fixed window of `requests` per caller network (an IPv6 caller by its
 * /64, lib/ip-ranges.ts) and `windowMs`, per process. Bounded: past
 * MAX_CALLERS windows the oldest is dropped (a cache, safe to lose; DESIGN.md
 * § Storage). It guards an unauthenticated endpoint whose every request costs
 * an ECDSA verification and, when signed, database work.
 */
export interface RateLimiter {
  /** Throws 429 `too_many_requests` (with Retry-After) when `peer` is over its budget. */
  take(peer: string | undefined): void;
}

const MAX_CALLERS = 10_000;

export function createRateLimiter(options: { requests: number; windowMs: number; clock: Clock }): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    take(peer) {
      const now = options.clock.now();
      const key = callerNetwork(peer ?? 'unknown');
      let w = windows.get(key);
      if (!w || now - w.start >= options.windowMs) {
        windows.delete(key);
        if (windows.size >= MAX_CALLERS) windows.delete(windows.keys().next().value ?? '');
        w = { start: now, count: 0 };
        windows.set(key, w);
      }
      w.count += 1;
      if (w.count > options.requests) throw rateLimited(Math.max(1, Math.ceil((w.start + options.windowMs - now) / 1000)));
    },
  };
}
