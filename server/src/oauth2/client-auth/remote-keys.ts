import { createLocalJWKSet, errors as joseErrors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { Clock } from '../../lib/clock.js';
import { getJson, type OutboundDeps } from '../../lib/outbound-request.js';

/*
 * Clients' `jwks_uri` key sets (private_key_jwt), fetched through the SSRF
 * guard (lib/outbound-request.ts: checked and pinned addresses, no
 * redirects, a time limit, a size cap) and cached per process: used for
 * `cacheTtlMs`, refetched sooner when an assertion names a `kid` the cached
 * set lacks (the client rotated its keys), but not more than once per
 * REFETCH_COOLDOWN_MS, so unknown kids cannot make us a fetch amplifier.
 * Concurrent verifications share one fetch. Bounded: past MAX_SETS the
 * oldest entry goes. Losing the cache costs one fetch (DESIGN.md, Storage).
 */

export interface RemoteKeysOptions {
  readonly outbound: OutboundDeps;
  readonly clock: Clock;
  readonly cacheTtlMs: number;
  readonly timeoutMs: number;
}

const MAX_SETS = 1000;
const MAX_BYTES = 256 * 1024;
const REFETCH_COOLDOWN_MS = 30_000;

interface Entry {
  readonly fetchedAt: number;
  readonly keys: Promise<JWTVerifyGetKey>;
}

export class RemoteKeysError extends Error {
  constructor(cause: unknown) {
    super(`the client's jwks_uri could not be used: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'RemoteKeysError';
  }
}

export function createRemoteKeys({ outbound, clock, cacheTtlMs, timeoutMs }: RemoteKeysOptions): (uri: string) => JWTVerifyGetKey {
  const cache = new Map<string, Entry>();

  async function load(uri: string): Promise<JWTVerifyGetKey> {
    try {
      const body = await getJson(uri, outbound, { timeoutMs, maxBytes: MAX_BYTES });
      const keys = (body as { keys?: unknown } | null)?.keys;
      if (!Array.isArray(keys)) throw new Error('the document has no "keys" array (RFC 7517 §5)');
      return createLocalJWKSet(body as JSONWebKeySet);
    } catch (err) {
      throw new RemoteKeysError(err);
    }
  }

  function fetchNow(uri: string): Entry {
    const entry: Entry = { fetchedAt: clock.now(), keys: load(uri) };
    // A failed fetch is not kept: the next assertion tries again.
    entry.keys.catch(() => cache.get(uri) === entry && cache.delete(uri));
    cache.delete(uri);
    if (cache.size >= MAX_SETS) cache.delete(cache.keys().next().value ?? '');
    cache.set(uri, entry);
    return entry;
  }

  function current(uri: string): Entry {
    const entry = cache.get(uri);
    return entry && clock.now() - entry.fetchedAt < cacheTtlMs ? entry : fetchNow(uri);
  }

  return (uri) => async (header, token) => {
    const entry = current(uri);
    try {
      return await (await entry.keys)(header, token);
    } catch (err) {
      const unknownKey = err instanceof joseErrors.JWKSNoMatchingKey;
      if (!unknownKey || clock.now() - entry.fetchedAt < REFETCH_COOLDOWN_MS) throw err;
      return (await fetchNow(uri).keys)(header, token);
    }
  };
}
