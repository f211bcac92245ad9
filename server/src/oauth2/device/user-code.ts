import { createHmac, hkdfSync, randomInt } from 'node:crypto';

/*
 * RFC 8628 §6.1: user codes a person types. Eight characters from twenty
 * consonants (no vowels, so no words; no look-alikes such as 0/O or 1/I):
 * 20^8 ≈ 2^34.6 codes, shown as BCDF-GHJK and matched case-insensitively
 * with or without the dash (§3.3 asks servers to be lenient). A code is
 * stored as HMAC-SHA256 under a key derived from each system secret (the
 * first for new codes, all for lookups), so a database leak cannot be
 * turned into codes by trying all 2^34.6 of them offline.
 */

export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const USER_CODE_LENGTH = 8;

export interface UserCodes {
  /** A fresh code, as shown (`BCDF-GHJK`), and its stored hash. */
  mint(): { readonly display: string; readonly hash: string };
  /** The hashes (one per system secret) a typed code may be stored under; empty when it cannot be a code. */
  candidates(typed: string): string[];
}

/** The canonical form (8 upper-case consonants), or undefined when the input cannot be a user code. */
export function normalizeUserCode(typed: string): string | undefined {
  const code = typed.replace(/[\s-]/g, '').toUpperCase();
  if (code.length !== USER_CODE_LENGTH) return undefined;
  for (const c of code) if (!USER_CODE_ALPHABET.includes(c)) return undefined;
  return code;
}

/** `BCDFGHJK` → `BCDF-GHJK`: two halves are easier to read out and type. */
export const displayUserCode = (code: string): string => `${code.slice(0, 4)}-${code.slice(4)}`;

export function createUserCodes(secrets: readonly string[]): UserCodes {
  const keys = secrets.map((s) => Buffer.from(hkdfSync('sha256', s, 'tessera', 'tessera/device-user-code/v1', 32)));
  if (keys.length === 0) throw new Error('at least one system secret is needed');
  const hash = (key: Buffer, code: string) => createHmac('sha256', key).update(code).digest('base64url');
  return {
    mint() {
      let code = '';
      for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
      return { display: displayUserCode(code), hash: hash(keys[0] as Buffer, code) };
    },
    candidates(typed) {
      const code = normalizeUserCode(typed);
      return code === undefined ? [] : keys.map((k) => hash(k, code));
    },
  };
}
