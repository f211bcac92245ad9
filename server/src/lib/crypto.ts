import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** base64url without padding (RFC 4648 §5), the encoding of every token and id we mint. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256(data: string | Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

/**
 * Constant-time string comparison. Both sides are hashed first so that the
 * comparison takes the same time whatever their lengths (RFC 9700 §2.5 asks
 * for secrets to be compared without leaking through timing).
 */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}
