import { constants, createHash, createPublicKey, verify, type JsonWebKey as NodeJwk, type KeyObject } from 'node:crypto';
import { randomBuffer } from '../lib/crypto.js';
import type { Clock } from '../lib/clock.js';
import type { MintedToken } from './hmac.js';

/*
 * JWT access tokens (RFC 9068), README "Opaque or JWT access tokens".
 *
 *   header  { alg, kid, typ: "at+jwt" }                     RFC 9068 §2.1
 *   payload { iss, sub, aud, exp, iat, nbf, jti, client_id, scope, scp,
 *             auth_time?, acr?, amr?, ext?, cnf?, act? }     RFC 9068 §2.2, cnf: RFC 9449 §6.1, act: RFC 8693 §4.1
 *
 * `scope` is RFC 9068's space-separated string; `scp` (the same scopes as a
 * list) and `ext` (the consent's `session.access_token` claims) are Hydra's,
 * so resource servers written for Hydra keep working. The token is recorded
 * like an opaque one, under a lookup key derived from its `jti`: the issue
 * time in hex (the same 12 characters an opaque key starts with, so keys
 * still sort by issue time), then base64url(SHA-256(jti)). Introspection,
 * revocation and userinfo verify the signature against the access-token key
 * set before they derive the key: a `jti` alone (resource servers log it) is
 * not a credential.
 */

export const AT_JWT_TYP = 'at+jwt';

export interface AccessTokenFacts {
  readonly issuer: string;
  readonly clientId: string;
  readonly subject: string;
  readonly scope: readonly string[];
  readonly audience: readonly string[];
  /** Milliseconds. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly authTime?: number | undefined;
  readonly acr?: string | undefined;
  readonly amr?: readonly string[] | undefined;
  readonly ext?: Readonly<Record<string, unknown>> | undefined;
  /** RFC 9449 §6.1: the DPoP key thumbprint the token is bound to (`cnf.jkt`). */
  readonly jkt?: string | undefined;
  /** RFC 8693 §4.1 (token exchange). */
  readonly act?: Readonly<Record<string, unknown>> | undefined;
}

const seconds = (ms: number) => Math.floor(ms / 1000);
const TIME_BYTES = 6;

/** A fresh `jti`: 6 bytes of issue time and 26 random ones, base64url (43 characters), as an opaque token's body. */
export function newJti(now: number): string {
  const body = randomBuffer(32);
  body.writeUIntBE(now, 0, TIME_BYTES);
  return body.toString('base64url');
}

/** The `signature` column of the token whose `jti` this is; undefined for a `jti` this server did not mint. */
export function jtiLookupKey(jti: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{43}$/.test(jti)) return undefined;
  const time = Buffer.from(jti.slice(0, 8), 'base64url').toString('hex');
  return time + createHash('sha256').update(jti).digest('base64url');
}

/** The RFC 9068 claims of an access token. */
export function accessTokenClaims(facts: AccessTokenFacts, jti: string): Record<string, unknown> {
  return {
    iss: facts.issuer,
    sub: facts.subject,
    aud: [...facts.audience],
    exp: seconds(facts.expiresAt),
    iat: seconds(facts.issuedAt),
    nbf: seconds(facts.issuedAt),
    jti,
    client_id: facts.clientId,
    scope: facts.scope.join(' '),
    scp: [...facts.scope],
    ...(facts.authTime !== undefined ? { auth_time: seconds(facts.authTime) } : {}),
    ...(facts.acr ? { acr: facts.acr } : {}),
    ...(facts.amr && facts.amr.length > 0 ? { amr: [...facts.amr] } : {}),
    ...(facts.ext && Object.keys(facts.ext).length > 0 ? { ext: { ...facts.ext } } : {}),
    ...(facts.jkt !== undefined ? { cnf: { jkt: facts.jkt } } : {}),
    ...(facts.act ? { act: facts.act } : {}),
  };
}

export interface JwtAccessTokens {
  /** Signs an access token with `alg` from hydra.jwt.access-token; the token and its lookup key. */
  mint(facts: AccessTokenFacts, alg: string): Promise<MintedToken>;
  /** The lookup key of an authentic JWT access token of this issuer (expired or not); undefined for anything else. */
  lookupKey(token: string): Promise<string | undefined>;
}

export interface JwtAccessTokenDeps {
  readonly issuer: string;
  readonly clock: Clock;
  readonly sign: (claims: Record<string, unknown>, options: { alg: string; typ: string }) => Promise<string>;
  /** The public `sig` keys of hydra.jwt.access-token, and a number that grows when they change through this process. */
  readonly verificationKeys: () => Promise<Array<Record<string, unknown>>>;
  readonly generation: () => number;
}

/** Verification keys are re-read at most this often, at once after a change through this process or an unknown kid. */
const KEYS_CACHE_MS = 30_000;
const UNKNOWN_KID_RELOAD_MS = 1_000;
const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Could `token` be a JWS compact serialization? Cheap: decides whether the JWT path is tried at all. */
export const looksLikeJwt = (token: string): boolean => token.length < 16_384 && JWS.test(token);

/*
 * Signature checks with node:crypto, synchronously: introspection is a hot
 * path, and jose's WebCrypto verify (a promise and a thread-pool hop per
 * call) cost about three times an RS256 verification itself. Only the
 * algorithms keys are generated for; the header's `alg` must be the key's
 * (RFC 8725 §3.1: the key decides the algorithm, not the token).
 */
type Check = (data: Buffer, key: KeyObject, signature: Buffer) => boolean;
const CHECKS: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['RS256', (d, key, s) => verify('sha256', d, key, s)],
  ['PS256', (d, key, s) => verify('sha256', d, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, s)],
  ['ES256', (d, key, s) => verify('sha256', d, { key, dsaEncoding: 'ieee-p1363' }, s)],
  ['EdDSA', (d, key, s) => verify(null, d, key, s)],
]);

interface VerificationKey {
  readonly key: KeyObject;
  readonly alg: string;
}

function importKeys(list: ReadonlyArray<Record<string, unknown>>): Map<string, VerificationKey> {
  const keys = new Map<string, VerificationKey>();
  for (const jwk of list) {
    const { kid, alg } = jwk;
    if (typeof kid !== 'string' || typeof alg !== 'string' || !CHECKS.has(alg)) continue;
    try {
      keys.set(kid, { key: createPublicKey({ key: jwk as NodeJwk, format: 'jwk' }), alg });
    } catch {
      // A key node cannot import verifies nothing.
    }
  }
  return keys;
}

const decodeJson = (part: string): Record<string, unknown> => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

export function createJwtAccessTokens(deps: JwtAccessTokenDeps): JwtAccessTokens {
  let keys: { byKid: Map<string, VerificationKey>; at: number; generation: number } | undefined;

  async function keyFor(kid: string): Promise<VerificationKey | undefined> {
    const now = deps.clock.now();
    const stale = !keys || keys.generation !== deps.generation() || now - keys.at >= KEYS_CACHE_MS;
    const unknown = keys && !keys.byKid.has(kid) && now - keys.at >= UNKNOWN_KID_RELOAD_MS;
    if (!keys || stale || unknown) {
      const generation = deps.generation();
      keys = { byKid: importKeys(await deps.verificationKeys()), at: now, generation };
    }
    return keys.byKid.get(kid);
  }

  return {
    async mint(facts, alg) {
      const jti = newJti(facts.issuedAt);
      const token = await deps.sign(accessTokenClaims(facts, jti), { alg, typ: AT_JWT_TYP });
      return { token, signature: jtiLookupKey(jti) ?? '' };
    },

    async lookupKey(token) {
      if (!looksLikeJwt(token)) return undefined;
      const [headerPart = '', payloadPart = '', signaturePart = ''] = token.split('.');
      try {
        const header = decodeJson(headerPart);
        // RFC 9068 §4: the typ tells an access token from an ID token signed by the same issuer.
        if (typeof header['typ'] !== 'string' || header['typ'].toLowerCase() !== AT_JWT_TYP || typeof header['kid'] !== 'string') return undefined;
        const key = await keyFor(header['kid']);
        const check = key && header['alg'] === key.alg ? CHECKS.get(key.alg) : undefined;
        const signed = Buffer.from(`${headerPart}.${payloadPart}`, 'ascii');
        if (!key || !check || !check(signed, key.key, Buffer.from(signaturePart, 'base64url'))) return undefined;
        const claims = decodeJson(payloadPart);
        if (claims['iss'] !== deps.issuer || typeof claims['jti'] !== 'string') return undefined;
        return jtiLookupKey(claims['jti']);
      } catch {
        return undefined;
      }
    },
  };
}
