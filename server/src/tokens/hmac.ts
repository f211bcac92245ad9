import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { randomBuffer } from '../lib/crypto.js';

/*
 * Opaque tokens, fosite-style (DESIGN.md § Tokens):
 *
 *   <prefix><base64url(32 bytes)>.<base64url(HMAC-SHA256(k, those 32 bytes, encoded))>
 *
 * The 32 bytes are 6 bytes of issue time (Unix ms) and 26 random ones
 * (208 bits; RFC 6749 §10.10 asks for 128). The database keeps the token's
 * lookup key: the issue time in hex (12 characters), then the HMAC
 * signature. It holds nothing that can be presented as a token, and keys
 * sort by issue time, so an insert lands on the index
 * page the previous one touched (on SQLite, half of what a token insert
 * cost was the random page a purely random key dirtied). A token whose HMAC
 * does not verify is refused before any database read. k is derived
 * (HKDF-SHA256) from each `secrets.system` entry with a purpose label, so the
 * token key is never the key that encrypts JWKs; the first secret signs,
 * every secret verifies.
 */

export const TOKEN_PREFIXES = {
  access_token: 'ory_at_',
  refresh_token: 'ory_rt_',
  authorization_code: 'ory_ac_',
  // RFC 8628 device codes (Hydra's prefix); a grant, like a code: never an active token.
  device_code: 'ory_dc_',
} as const;
export type TokenKind = keyof typeof TOKEN_PREFIXES;

export interface MintedToken {
  /** What the client receives. */
  readonly token: string;
  /** What the database keeps (its `signature` column): the lookup key, issue time then HMAC signature. */
  readonly signature: string;
}

export interface TokenStrategy {
  mint(kind: TokenKind): MintedToken;
  /** The lookup key of a well-formed, authentic token of that kind; undefined for anything else. */
  verify(kind: TokenKind, token: string): string | undefined;
  /** Like verify, for a token whose kind the caller does not know (introspection, revocation). */
  classify(token: string): { kind: TokenKind; signature: string } | undefined;
}

const BODY_BYTES = 32;
/** Issue time, big-endian Unix milliseconds: 6 bytes, exactly the first 8 base64url characters. */
const TIME_BYTES = 6;
const TIME_CHARS = 8;
/** Issue time in hex (ordered as text in any collation), then the signature: 55 characters. */
function lookupKey(random: string, signature: string): string {
  return Buffer.from(random.slice(0, TIME_CHARS), 'base64url').toString('hex') + signature;
}

/** base64url of 32 bytes, unpadded: 43 characters; so is a SHA-256 HMAC. */
const PART = /^[A-Za-z0-9_-]{43}$/;

function deriveKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'tessera', 'tessera/opaque-token-hmac/v1', 32));
}

export function createTokenStrategy(secrets: readonly string[]): TokenStrategy {
  const keys = secrets.map(deriveKey);
  const signingKey = keys[0];
  if (!signingKey) throw new Error('at least one system secret is needed');
  const sign = (key: Buffer, random: string) => createHmac('sha256', key).update(random).digest();

  function verifyBody(body: string): string | undefined {
    const dot = body.indexOf('.');
    if (dot !== 43 || body.length !== 87) return undefined;
    const random = body.slice(0, dot);
    const signature = body.slice(dot + 1);
    if (!PART.test(random) || !PART.test(signature)) return undefined;
    const presented = Buffer.from(signature, 'base64url');
    // base64url has spare bits in its last character: accept only the canonical spelling.
    if (presented.toString('base64url') !== signature) return undefined;
    for (const key of keys) {
      if (timingSafeEqual(sign(key, random), presented)) return lookupKey(random, signature);
    }
    return undefined;
  }

  return {
    mint(kind) {
      const body = randomBuffer(BODY_BYTES);
      body.writeUIntBE(Date.now(), 0, TIME_BYTES);
      const random = body.toString('base64url');
      const signature = sign(signingKey, random).toString('base64url');
      return { token: `${TOKEN_PREFIXES[kind]}${random}.${signature}`, signature: lookupKey(random, signature) };
    },

    verify(kind, token) {
      const prefix = TOKEN_PREFIXES[kind];
      return token.startsWith(prefix) ? verifyBody(token.slice(prefix.length)) : undefined;
    },

    classify(token) {
      for (const kind of Object.keys(TOKEN_PREFIXES) as TokenKind[]) {
        if (token.startsWith(TOKEN_PREFIXES[kind])) {
          const signature = verifyBody(token.slice(TOKEN_PREFIXES[kind].length));
          return signature === undefined ? undefined : { kind, signature };
        }
      }
      return undefined;
    },
  };
}
