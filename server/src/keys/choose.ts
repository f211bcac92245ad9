import type { StoredKey } from '../storage/ports.js';

/*
 * Which key signs (README "Which key signs"). A JWT is signed with the
 * algorithm its audience expects (the client's id_token_signed_response_alg),
 * never with whatever key happens to be newest: adding a key of another
 * algorithm changes nothing. Among the set's private `sig` keys of that
 * algorithm, the newest one that has been published (in the JWKS) for at
 * least `keys.pre_publication` signs, so a relying party that cached the JWKS
 * before the key was added still knows the signing key; when none has been
 * published that long, the oldest signs (it has been published longest).
 * Ties in creation time go to the later insert: the store's order
 * (created_at, then insertion) decides, the same on every process.
 */

/** The order discovery lists signing algorithms in; RS256 first (OIDC Discovery §3 requires it). */
export const ALG_ORDER: readonly string[] = ['RS256', 'PS256', 'ES256', 'EdDSA', 'RS384', 'PS384', 'ES384', 'RS512', 'PS512', 'ES512'];

export interface Choice {
  readonly key: StoredKey;
  /** When a newer key of the algorithm will have been published long enough to take over (ms), or Infinity. */
  readonly until: number;
}

const canSign = (k: StoredKey) => k.use === 'sig' && k.sealedPrivateJwk !== null;

/** `keys` newest first, as KeyStore.listSet returns them. */
export function chooseSigningKey(keys: readonly StoredKey[], alg: string, now: number, prePublicationMs: number): Choice | undefined {
  const candidates = keys.filter((k) => canSign(k) && k.alg === alg);
  const key = candidates.find((k) => k.createdAt + prePublicationMs <= now) ?? candidates.at(-1);
  if (!key) return undefined;
  const newer = candidates.slice(0, candidates.indexOf(key));
  return { key, until: Math.min(Infinity, ...newer.map((k) => k.createdAt + prePublicationMs)) };
}

/** The algorithms the set's private signing keys can sign, in ALG_ORDER (others after, alphabetically). */
export function signingAlgs(keys: readonly StoredKey[]): string[] {
  const algs = [...new Set(keys.filter(canSign).map((k) => k.alg))];
  const rank = (alg: string) => (ALG_ORDER.includes(alg) ? ALG_ORDER.indexOf(alg) : ALG_ORDER.length);
  return algs.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * When `key` stopped signing: the moment the first newer private key of its
 * algorithm took over (created + pre-publication), or Infinity while none has.
 * `keys` newest first.
 */
export function supersededAt(keys: readonly StoredKey[], key: StoredKey, now: number, prePublicationMs: number): number {
  if (!canSign(key)) return Infinity;
  const newer = keys.slice(0, keys.indexOf(key)).filter((k) => canSign(k) && k.alg === key.alg && k.setId === key.setId);
  const takeovers = newer.map((k) => k.createdAt + prePublicationMs).filter((t) => t <= now);
  return takeovers.length === 0 ? Infinity : Math.min(...takeovers);
}

/**
 * The keys the JWKS publishes (README "Key rotation"): every `sig` key,
 * except a retired private one whose successor took over more than
 * `retentionMs` ago, by when every token it signed has expired. Public-only
 * keys (imported for verification) never retire. `keys` newest first.
 */
export function publishedKeys(keys: readonly StoredKey[], now: number, prePublicationMs: number, retentionMs: number): StoredKey[] {
  return keys.filter((k) => k.use === 'sig' && supersededAt(keys, k, now, prePublicationMs) + retentionMs > now);
}
