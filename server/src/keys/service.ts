import type { CreateJsonWebKeySet, JsonWebKey, JsonWebKeySet } from '@tessera/sdk';
import type { Clock } from '../lib/clock.js';
import type { KeyStore, StoredKey } from '../storage/ports.js';
import { conflict, invalidRequest, notFound } from '../errors/catalog.js';
import type { Sealer } from './seal.js';
import { assertUsableJwk, generateJwk, isPrivate, publicPart } from './jwk.js';
import { chooseSigningKey, publishedKeys, signingAlgs } from './choose.js';

/** Hydra's set names, so existing tooling finds the keys where it expects them. */
export const ID_TOKEN_SET = 'hydra.openid.id-token';
export const JWT_ACCESS_TOKEN_SET = 'hydra.jwt.access-token';
/** Sets whose signing keys `/.well-known/jwks.json` publishes. */
export const PUBLISHED_SETS: readonly string[] = [ID_TOKEN_SET, JWT_ACCESS_TOKEN_SET];

export interface KeyService {
  /**
   * Makes sure the ID-token set holds an RS256 signing key (OIDC Discovery §3:
   * RS256 is always offered; OIDC Registration §2: it is the default), creating
   * one if not; safe to call from many processes at once.
   */
  ensureSigningKeys(): Promise<void>;
  /** The same for hydra.jwt.access-token (JWT access tokens, RFC 9068): an RS256 key, created if missing. */
  ensureAccessTokenKey(): Promise<void>;
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
  /**
   * The private key of a set that signs `alg` now (keys/choose.ts), and until
   * when that choice holds; undefined when the set has no such key.
   */
  signingKey(setId: string, alg: string): Promise<{ jwk: JsonWebKey; until: number } | undefined>;
  /**
   * What the ID-token set can sign (discovery's id_token_signing_alg_values_supported),
   * cached like the JWKS unless `fresh`.
   */
  idTokenAlgs(fresh?: boolean): Promise<string[]>;
  /** What hydra.jwt.access-token can sign, RS256 first and always (it is created on demand); cached like idTokenAlgs. */
  accessTokenAlgs(fresh?: boolean): Promise<string[]>;
  /** The public signing keys of one set. */
  verificationKeys(setId: string): Promise<Array<Record<string, unknown>>>;
  /** Grows with every key change made through this process: caches of keys compare it. */
  generation(): number;
}

export interface KeyServiceDeps {
  readonly store: KeyStore;
  readonly sealer: Sealer;
  readonly clock: Clock;
  /** `keys.pre_publication`: how long a new key is published before it signs. */
  readonly prePublicationMs?: number;
  /**
   * How long a retired signing key stays published after its successor took
   * over: the longest lifetime of what it signed (keys/choose.ts publishedKeys).
   * Infinity (never retire) unless given.
   */
  readonly retentionMs?: number;
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

export function createKeyService({ store, sealer, clock, prePublicationMs = 0, retentionMs = Infinity }: KeyServiceDeps): KeyService {
  let jwks: { json: string; at: number } | undefined;
  const algs = new Map<string, { list: string[]; at: number }>();
  let generation = 0;
  async function publicJwks() {
    const keys = publishedKeys(await store.listSets(PUBLISHED_SETS), clock.now(), prePublicationMs, retentionMs);
    return { keys: keys.map((k) => ({ ...k.publicJwk })) };
  }
  const changed = () => {
    jwks = undefined;
    algs.clear();
    generation++;
  };
  async function ensureRs256(setId: string) {
    if (signingAlgs(await store.listSet(setId)).includes('RS256')) return;
    const jwk = await generateJwk('RS256', '', 'sig');
    if (await store.ensureKey(toStored(setId, jwk))) changed();
  }
  /** RS256 first and always: the signers recreate it if none is left (OIDC Discovery §3 for ID tokens). */
  async function setAlgs(setId: string, fresh: boolean) {
    const now = clock.now();
    const cached = algs.get(setId);
    if (!fresh && cached && now - cached.at < JWKS_CACHE_MS) return cached.list;
    const list = ['RS256', ...signingAlgs(await store.listSet(setId)).filter((a) => a !== 'RS256')];
    algs.set(setId, { list, at: now });
    return list;
  }
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
    ensureSigningKeys: () => ensureRs256(ID_TOKEN_SET),
    ensureAccessTokenKey: () => ensureRs256(JWT_ACCESS_TOKEN_SET),

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

    async signingKey(setId, alg) {
      const choice = chooseSigningKey(await store.listSet(setId), alg, clock.now(), prePublicationMs);
      return choice ? { jwk: toJwk(choice.key), until: choice.until } : undefined;
    },

    idTokenAlgs: (fresh = false) => setAlgs(ID_TOKEN_SET, fresh),
    accessTokenAlgs: (fresh = false) => setAlgs(JWT_ACCESS_TOKEN_SET, fresh),

    async verificationKeys(setId) {
      return (await store.listSet(setId)).filter((k) => k.use === 'sig').map((k) => ({ ...k.publicJwk }));
    },

    publicJwks,
    generation: () => generation,

    async publicJwksJson() {
      const now = clock.now();
      if (jwks && now - jwks.at < JWKS_CACHE_MS) return jwks.json;
      const json = JSON.stringify(await publicJwks());
      jwks = { json, at: now };
      return json;
    },
  };
}
