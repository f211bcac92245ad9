import { tooManyRequests } from '../../errors/catalog.js';
import type { Clock } from '../../lib/clock.js';
import { callerNetwork } from '../../lib/ip-ranges.js';

/*
 * Registrations are rows anybody can make: at most `perMinute` per caller
 * network (an IPv4 address, an IPv6 /64) and minute, per process (as the
 * client-auth throttle, DESIGN.md: bounded, safe to lose). Behind a proxy
 * every caller shares the proxy's address.
 */

export interface RegistrationThrottle {
  /** Throws 429 while `peer`'s network has used up its registrations. */
  check(peer: string | undefined): void;
  /** Counts a registration made (refused ones cost no row, and do not count). */
  count(peer: string | undefined): void;
}

const MAX_WINDOWS = 10_000;
const MINUTE = 60_000;

export function createRegistrationThrottle(perMinute: number, clock: Clock): RegistrationThrottle {
  const windows = new Map<string, { count: number; endsAt: number }>();
  function windowOf(peer: string | undefined, now: number) {
    const key = callerNetwork(peer ?? '');
    const open = windows.get(key);
    if (open && open.endsAt > now) return open;
    windows.delete(key);
    if (windows.size >= MAX_WINDOWS) {
      for (const [k, w] of windows) if (w.endsAt <= now) windows.delete(k);
      if (windows.size >= MAX_WINDOWS) windows.delete(windows.keys().next().value ?? '');
    }
    const fresh = { count: 0, endsAt: now + MINUTE };
    windows.set(key, fresh);
    return fresh;
  }
  return {
    check(peer) {
      if (perMinute === 0) return;
      const now = clock.now();
      const open = windowOf(peer, now);
      if (open.count < perMinute) return;
      throw tooManyRequests(Math.max(1, Math.ceil((open.endsAt - now) / 1000))).withHint(`At most ${perMinute} registrations per minute from one network.`);
    },
    count(peer) {
      if (perMinute > 0) windowOf(peer, clock.now()).count++;
    },
  };
}
