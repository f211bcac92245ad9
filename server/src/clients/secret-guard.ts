import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { tooManyRequests } from '../errors/catalog.js';
import type { Clock } from '../lib/clock.js';
import { callerNetwork } from '../lib/ip-ranges.js';
import { isSlowHash, verifySecret } from './secret.js';

/*
 * Guessing an admin-chosen client secret costs us a scrypt (~44-114 ms of
 * CPU) per try, so failed tries are throttled per client (RFC 6749 §10.10):
 * past `maxFailures` in `windowMs`, further tries of an unknown secret get a
 * 429 without scrypt until the window ends. Generated secrets (256 bits,
 * SHA-256) cannot be guessed and cost nothing to check: they are never
 * throttled, so nobody can lock their client out.
 *
 * Failures count per client **and caller network** (an IPv4 address, an
 * IPv6 /64: lib/ip-ranges.ts callerNetwork): someone who knows a
 * client id cannot lock the client out from elsewhere (found in review: ten
 * wrong secrets from anywhere made the right one 429 for the whole window).
 * A client's failures from all addresses together are capped too, at
 * PEER_SPREAD times the per-address limit, so many addresses still buy a
 * bounded amount of scrypt. Behind a proxy every caller has the proxy's
 * address, and the throttle is per client again.
 *
 * Per process, on purpose (DESIGN.md: state in memory must be bounded and
 * safe to lose). What the throttle protects is this process's CPU; a shared
 * counter would cost a database write per failure (an attacker's lever) and
 * a read per check on the token endpoint. The cost: with N processes an
 * attacker gets N x maxFailures tries per window; a client that needs more
 * than that should use a generated secret.
 *
 * Chosen secrets at full speed (issue 16 item 6): a secret verified here is
 * remembered, keyed by the client id and the stored hash, as an HMAC of the
 * presented secret under a key that never leaves this process (never the
 * secret, nor anything an offline attack could use). Presented again, it
 * costs one HMAC (~3 µs) instead of scrypt (~44 ms), and skips the
 * throttle, so a client under attack keeps working. The token endpoint reads
 * the client row on every request, so a changed secret (on any process)
 * changes the stored hash the entry is keyed by: it is never consulted again
 * and ages out. Concurrent checks of the same client, hash and secret share
 * one scrypt (a burst of first requests costs one KDF run, not one each).
 * Failures are never remembered: each pays scrypt and counts toward the
 * throttle.
 */

export interface SecretGuard {
  /**
   * Whether `secret` matches `storedHash`; throws 429 `too_many_requests`
   * while the client is throttled for `peer` (the caller's address).
   */
  verify(clientId: string, secret: string, storedHash: string, peer?: string): Promise<boolean>;
}

export interface SecretGuardOptions {
  /** 0 turns the throttle off. */
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly clock: Clock;
}

/** Bounds: clients with a throttle window open, secrets remembered. */
const MAX_WINDOWS = 10_000;
const MAX_REMEMBERED = 1024;
/** A client's failures from every address together may reach this many times the per-address limit. */
const PEER_SPREAD = 10;

interface Window {
  /** Tries that failed or are running (a running try holds its slot, so parallel tries cannot overshoot). */
  tries: number;
  readonly endsAt: number;
}

export function createSecretGuard({ maxFailures, windowMs, clock }: SecretGuardOptions): SecretGuard {
  const key = randomBytes(32);
  /** `<client id>\0<stored hash>` → HMAC of the secret that verified against it; insertion order is recency. */
  const remembered = new Map<string, Buffer>();
  /** Checks under way, by the same key plus the presented secret's HMAC. */
  const running = new Map<string, Promise<boolean>>();
  // Two tables: callers' windows cannot crowd a client's own window out (many IPv6 addresses would otherwise
  // evict it and lift the per-client cap).
  const byPeerWindows = new Map<string, Window>();
  const byClientWindows = new Map<string, Window>();
  const mac = (secret: string) => createHmac('sha256', key).update(secret).digest();

  function isRemembered(entry: string, presented: Buffer): boolean {
    const known = remembered.get(entry);
    if (!known || !timingSafeEqual(known, presented)) return false;
    // Recently used entries stay; the least recently used goes first.
    remembered.delete(entry);
    remembered.set(entry, known);
    return true;
  }

  function remember(entry: string, presented: Buffer): void {
    remembered.delete(entry);
    if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value ?? '');
    remembered.set(entry, presented);
  }

  /** The open window of `key` in `windows`, a new one when there is none; expired windows are dropped on the way. */
  function windowOf(windows: Map<string, Window>, key: string, now: number): Window {
    const open = windows.get(key);
    if (open && open.endsAt > now) return open;
    windows.delete(key);
    if (windows.size >= MAX_WINDOWS) {
      for (const [id, w] of windows) if (w.endsAt <= now) windows.delete(id);
      if (windows.size >= MAX_WINDOWS) windows.delete(windows.keys().next().value ?? '');
    }
    const fresh = { tries: 0, endsAt: now + windowMs };
    windows.set(key, fresh);
    return fresh;
  }

  /** The slow check, throttled per client and caller network. */
  async function throttledVerify(clientId: string, secret: string, storedHash: string, peer: string): Promise<boolean> {
    if (maxFailures === 0) return verifySecret(secret, storedHash);
    const now = clock.now();
    // Client ids never contain NUL (lib/text.ts): the key is unambiguous.
    const byPeer = windowOf(byPeerWindows, `${clientId}\0${callerNetwork(peer)}`, now);
    const byClient = windowOf(byClientWindows, clientId, now);
    const full = byPeer.tries >= maxFailures ? byPeer : byClient.tries >= maxFailures * PEER_SPREAD ? byClient : undefined;
    if (full) throw tooManyRequests(Math.max(1, Math.ceil((full.endsAt - now) / 1000)));
    byPeer.tries++;
    byClient.tries++;
    const ok = await verifySecret(secret, storedHash);
    if (ok) {
      byPeer.tries--;
      byClient.tries--;
    }
    return ok;
  }

  return {
    async verify(clientId, secret, storedHash, peer = '') {
      if (!isSlowHash(storedHash)) return verifySecret(secret, storedHash);
      const entry = `${clientId}\0${storedHash}`;
      const presented = mac(secret);
      if (isRemembered(entry, presented)) return true;
      const flight = `${entry}\0${presented.toString('base64url')}`;
      const joined = running.get(flight);
      if (joined) return joined;
      const check = throttledVerify(clientId, secret, storedHash, peer).then((ok) => {
        if (ok) remember(entry, presented);
        return ok;
      });
      running.set(flight, check);
      try {
        return await check;
      } finally {
        running.delete(flight);
      }
    },
  };
}
