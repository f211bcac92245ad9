import { importJWK, SignJWT, type CryptoKey, type JWK, type KeyObject } from 'jose';
import type { Clock } from '../lib/clock.js';
import { serverError } from '../errors/catalog.js';
import type { KeyService } from './service.js';
import { compactSigner, type CompactSigner } from './compact-sign.js';

/*
 * Signs JWTs with the key of one set that signs `alg` now (keys/choose.ts,
 * README "Which key signs"). The imported key is kept for a short while
 * (importing costs more than signing): until a key change through this
 * process, the moment a pre-published key takes over, or CACHE_MS, within
 * which a change made through another process is picked up. ID tokens,
 * logout tokens and signed userinfo use hydra.openid.id-token; JWT access
 * tokens (RFC 9068) hydra.jwt.access-token.
 */

export interface SetSigner {
  /** A compact JWS of `claims` with the set's `alg` key; `typ` as given. */
  sign(claims: Record<string, unknown>, options: { alg: string; typ: string }): Promise<string>;
}

export const SIGNER_CACHE_MS = 30_000;

interface Loaded {
  /** node:crypto's signer (keys/compact-sign.ts) where it has the algorithm, else jose's. */
  readonly sign: CompactSigner;
  readonly kid: string;
  readonly alg: string;
  /** When to look again (ms), and the key service's generation it was loaded at. */
  readonly until: number;
  readonly generation: number;
}

/**
 * `recreate` is called once when the set has no `alg` key, for algorithms
 * the server promises to always sign (RS256); the lookup is then repeated.
 */
export function createSetSigner(keys: KeyService, setId: string, clock: Clock, recreate?: (alg: string) => Promise<boolean>): SetSigner {
  const loaded = new Map<string, Loaded>();
  /** One load per algorithm at a time: a burst of first requests must not each read, import (or create) the key. */
  const loading = new Map<string, Promise<Loaded>>();

  async function choose(alg: string) {
    const chosen = await keys.signingKey(setId, alg);
    if (chosen || !recreate || !(await recreate(alg))) return chosen;
    return keys.signingKey(setId, alg);
  }

  function signingKey(alg: string): Loaded | Promise<Loaded> {
    const now = clock.now();
    const generation = keys.generation();
    const cached = loaded.get(alg);
    if (cached && now < cached.until && cached.generation === generation) return cached;
    const pending = loading.get(alg);
    if (pending) return pending;
    const load = loadKey(alg, now, generation).finally(() => loading.delete(alg));
    loading.set(alg, load);
    return load;
  }

  async function loadKey(alg: string, now: number, generation: number): Promise<Loaded> {
    const chosen = await choose(alg);
    if (!chosen || chosen.jwk.alg !== alg) throw serverError().withDebug(`${setId} has no private ${alg} signing key`);
    const { jwk, until } = chosen;
    const sign = compactSigner(jwk as Record<string, unknown>, alg) ?? joseSigner(await importJWK(jwk as JWK, alg));
    const fresh = { sign, kid: jwk.kid, alg, until: Math.min(now + SIGNER_CACHE_MS, until), generation };
    loaded.set(alg, fresh);
    return fresh;
  }

  return {
    async sign(claims, { alg, typ }) {
      const key = await signingKey(alg);
      return key.sign({ alg: key.alg, kid: key.kid, typ }, claims);
    },
  };
}

function joseSigner(key: CryptoKey | KeyObject | Uint8Array): CompactSigner {
  return (header, claims) => new SignJWT({ ...claims }).setProtectedHeader(header as { alg: string }).sign(key);
}
