import type { KeyStore, SealedKey } from '../storage/ports.js';
import type { Sealer } from './seal.js';
import { keyAad } from './service.js';

/*
 * `secrets.system` rotation for what is sealed under it: the private JWKs.
 * (Opaque tokens are HMAC-signed, not sealed: they cannot be re-signed, since
 * the client holds them; README "System secret rotation" says which die.)
 *
 * Re-sealing is one compare-and-set UPDATE per key, so it is safe beside
 * serving processes and beside another `secrets rotate`: a key created, replaced
 * or deleted meanwhile is never overwritten or brought back, and a key sealed
 * meanwhile by a process that still seals with an older secret is caught by
 * the next pass.
 */

export interface ResealReport {
  /** Keys re-sealed under the first secret by this run. */
  readonly resealed: number;
  /** Keys that were already sealed under the first secret. */
  readonly current: number;
  /** `set/kid` of keys no configured secret opens (left as they are). */
  readonly unreadable: readonly string[];
}

const BATCH = 100;
/** A pass that re-seals nothing ends the run; each pass only sees keys written under an older secret since the last. */
const MAX_PASSES = 5;

async function* sealedKeys(store: Pick<KeyStore, 'listSealed'>): AsyncGenerator<SealedKey> {
  let after = 0;
  for (;;) {
    const batch = await store.listSealed(after, BATCH);
    yield* batch;
    const last = batch.at(-1);
    if (!last || batch.length < BATCH) return;
    after = last.ref;
  }
}

const label = (key: SealedKey) => `${key.setId}/${key.kid}`;

/** One pass over every sealed key; `changed` counts keys re-sealed or lost to a concurrent writer. */
async function pass(store: Pick<KeyStore, 'listSealed' | 'swapSealed'>, sealer: Sealer) {
  let resealed = 0;
  let current = 0;
  let raced = 0;
  const unreadable: string[] = [];
  for await (const key of sealedKeys(store)) {
    const aad = keyAad(key.setId, key.kid);
    const index = sealer.secretIndex(key.sealed, aad);
    if (index === undefined) unreadable.push(label(key));
    else if (index === 0) current++;
    else if (await store.swapSealed(key.ref, key.sealed, sealer.seal(sealer.open(key.sealed, aad), aad))) resealed++;
    else raced++;
  }
  return { resealed, current, unreadable, changed: resealed + raced };
}

/** Re-seals every private key under the first secret; idempotent (a second run re-seals nothing). */
export async function resealKeys(store: Pick<KeyStore, 'listSealed' | 'swapSealed'>, sealer: Sealer): Promise<ResealReport> {
  const first = await pass(store, sealer);
  let { resealed, unreadable, changed } = first;
  for (let i = 1; changed > 0 && i < MAX_PASSES; i++) {
    const next = await pass(store, sealer);
    resealed += next.resealed;
    ({ unreadable, changed } = next);
  }
  return { resealed, current: first.current, unreadable };
}

/** `set/kid` of every stored private key no configured secret opens (start-up and readiness checks). */
export async function unreadableKeys(store: Pick<KeyStore, 'listSealed'>, sealer: Sealer): Promise<string[]> {
  const found: string[] = [];
  for await (const key of sealedKeys(store)) {
    if (sealer.secretIndex(key.sealed, keyAad(key.setId, key.kid)) === undefined) found.push(label(key));
  }
  return found;
}
