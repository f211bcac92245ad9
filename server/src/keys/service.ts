import type { CreateJsonWebKeySet, JsonWebKey, JsonWebKeySet } from '@tessera/sdk';
import type { Clock } from '../lib/clock.js';
import type { KeyStore, StoredKey } from '../storage/ports.js';
import { conflict, invalidRequest, notFound } from '../errors/catalog.js';
import type { Sealer } from './seal.js';
import { assertUsableJwk, generateJwk, isPrivate, publicPart } from './jwk.js';

/** Hydra's set names, so existing tooling finds the keys where it expects them. */
export const ID_TOKEN_SET = 'hydra.openid.id-token';
export const JWT_ACCESS_TOKEN_SET = 'hydra.jwt.access-token';
/** Sets whose signing keys `/.well-known/jwks.json` publishes. */
export const PUBLISHED_SETS: readonly string[] = [ID_TOKEN_SET, JWT_ACCESS_TOKEN_SET];

export interface KeyService {
  /** Creates the ID-token set (RS256) unless it exists; safe to call from many processes at once. */
  ensureSigningKeys(): Promise<void>;
  getSet(setId: string): Promise<JsonWebKeySet>;
  getKey(setId: string, kid: string): Promise<JsonWebKeySet>;
  createKey(setId: string, request: CreateJsonWebKeySet): Promise<JsonWebKeySet>;
  replaceSet(setId: string, set: JsonWebKeySet): Promise<JsonWebKeySet>;
  putKey(setId: string, kid: string, jwk: JsonWebKey): Promise<JsonWebKey>;
  deleteSet(setId: string): Promise<void>;
  deleteKey(setId: string, kid: string): Promise<void>;
  /** The public signing keys of the published sets (RFC 7517 §5), newest first. */
  publicJwks(): Promise<{ keys: Array<Record<string, unknown>> }>;
  /**
   * The same as JSON text, built at most every JWKS_CACHE_MS (and at once
   * after a change through this process): `/.well-known/jwks.json` is
   * fetched by every relying party, and keys change rarely.
   */
  publicJwksJson(): Promise<string>;
  /** The newest private signing key of a set (the one that signs, as in Hydra), if any. */
  signingKey(setId: string): Promise<JsonWebKey | undefined>;
  /** The public signing keys of one set. */
  verificationKeys(setId: string): Promise<Array<Record<string, unknown>>>;
}

export interface KeyServiceDeps {
  readonly store: KeyStore;
  readonly sealer: Sealer;
  readonly clock: Clock;
}

/** What a sealed private key is bound to (keys/seal.ts): its set and kid. */
export const keyAad = (setId: string, kid: string) => `${setId}/${kid}`;

/** Set ids and kids are path segments and 255-character columns. */
function checkIds(setId: string, kid?: string): void {
  if (setId.length === 0 || setId.length > 255) throw invalidRequest('The set id must be 1 to 255 characters.');
  if (kid !== undefined && kid.length > 255) throw invalidRequest('The kid must be at most 255 characters.');
}

/** How stale another process's key change may look in the published JWKS. */
export const JWKS_CACHE_MS = 5_000;

export function createKeyService({ store, sealer, clock }: KeyServiceDeps): KeyService {
  let jwks: { json: string; at: number } | undefined;
  async function publicJwks() {
    const keys = await store.listSets(PUBLISHED_SETS);
    return { keys: keys.filter((k) => k.use === 'sig').map((k) => ({ ...k.publicJwk })) };
  }
  const changed = () => {
    jwks = undefined;
  };
  function toStored(setId: string, jwk: JsonWebKey): StoredKey {
    return {
      setId,
      kid: jwk.kid,
      alg: jwk.alg,
      use: jwk.use,
      publicJwk: publicPart(jwk),
      sealedPrivateJwk: isPrivate(jwk) ? sealer.seal(JSON.stringify(jwk), keyAad(setId, jwk.kid)) : null,
      createdAt: clock.now(),
    };
  }

  function toJwk(key: StoredKey): JsonWebKey {
    const whole = key.sealedPrivateJwk ? JSON.parse(sealer.open(key.sealedPrivateJwk, keyAad(key.setId, key.kid))) : key.publicJwk;
    return whole as JsonWebKey;
  }

  async function nonEmpty(setId: string, keys: Promise<StoredKey[]>): Promise<JsonWebKeySet> {
    const found = await keys;
    if (found.length === 0) throw notFound(`The JSON Web Key Set "${setId}" does not exist.`);
    return { keys: found.map(toJwk) };
  }

  return {
    async ensureSigningKeys() {
      if ((await store.listSet(ID_TOKEN_SET)).length > 0) return;
      const jwk = await generateJwk('RS256', '', 'sig');
      await store.ensureSet(toStored(ID_TOKEN_SET, jwk));
      changed();
    },

    getSet: (setId) => nonEmpty(setId, store.listSet(setId)),

    async getKey(setId, kid) {
      const key = await store.getKey(setId, kid);
      if (!key) throw notFound(`The key "${kid}" does not exist in set "${setId}".`);
      return { keys: [toJwk(key)] };
    },

    async createKey(setId, request) {
      checkIds(setId, request.kid);
      const jwk = await generateJwk(request.alg, request.kid, request.use);
      changed();
      if (!(await store.addKey(toStored(setId, jwk)))) {
        throw conflict(`The set "${setId}" already has a key with kid "${jwk.kid}".`);
      }
      return { keys: [jwk] };
    },

    async replaceSet(setId, set) {
      checkIds(setId);
      const kids = new Set<string>();
      for (const jwk of set.keys) {
        await assertUsableJwk(jwk);
        if (kids.has(jwk.kid)) throw invalidRequest(`The kid "${jwk.kid}" appears twice.`);
        kids.add(jwk.kid);
      }
      await store.replaceSet(setId, set.keys.map((jwk) => toStored(setId, jwk)));
      changed();
      return set;
    },

    async putKey(setId, kid, jwk) {
      checkIds(setId, kid);
      if (jwk.kid !== kid) throw invalidRequest(`The key's kid "${jwk.kid}" does not match the path's "${kid}".`);
      await assertUsableJwk(jwk);
      await store.putKey(toStored(setId, jwk));
      changed();
      return jwk;
    },

    async deleteSet(setId) {
      changed();
      if (!(await store.deleteSet(setId))) throw notFound(`The JSON Web Key Set "${setId}" does not exist.`);
    },

    async deleteKey(setId, kid) {
      changed();
      if (!(await store.deleteKey(setId, kid))) throw notFound(`The key "${kid}" does not exist in set "${setId}".`);
    },

    async signingKey(setId) {
      const key = (await store.listSet(setId)).find((k) => k.use === 'sig' && k.sealedPrivateJwk !== null);
      return key ? toJwk(key) : undefined;
    },

    async verificationKeys(setId) {
      return (await store.listSet(setId)).filter((k) => k.use === 'sig').map((k) => ({ ...k.publicJwk }));
    },

    publicJwks,

    async publicJwksJson() {
      const now = clock.now();
      if (jwks && now - jwks.at < JWKS_CACHE_MS) return jwks.json;
      const json = JSON.stringify(await publicJwks());
      jwks = { json, at: now };
      return json;
    },
  };
}
