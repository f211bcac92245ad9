import { randomToken, sha256 } from '../lib/crypto.js';

/**
 * Challenges, verifiers and cookie secrets: 256 random bits each, stored
 * only as SHA-256 (a leaked table row cannot be replayed as a URL or cookie).
 */
export interface Secret {
  readonly value: string;
  readonly hash: string;
}

export function mintSecret(): Secret {
  const value = randomToken(32);
  return { value, hash: hashSecret(value) };
}

export function hashSecret(value: string): string {
  return sha256(value).toString('base64url');
}
