import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Private JWKs at rest: AES-256-GCM under a key derived (HKDF-SHA256) from
 * `secrets.system`. The first secret seals; every secret is tried to open, so
 * a secret can be rotated by prepending a new one, re-sealing with
 * `tessera secrets rotate` (keys/rotate.ts), then dropping the old one. The
 * set and kid are bound as associated data, so a sealed key cannot be moved
 * to another row.
 *
 * Format: `v1.<iv>.<ciphertext>.<tag>`, base64url.
 */
export interface Sealer {
  seal(plaintext: string, aad: string): string;
  /** Throws UnopenableError when no configured secret opens the value. */
  open(sealed: string, aad: string): string;
  /**
   * The position in `secrets.system` of the secret that opens the value
   * (0: the first, which seals), or undefined when none does.
   */
  secretIndex(sealed: string, aad: string): number | undefined;
}

/** A sealed value none of the configured system secrets opens: sealed under a secret since dropped, or damaged. */
export class UnopenableError extends Error {
  constructor() {
    super('no system secret opens this value (was secrets.system changed?)');
    this.name = 'UnopenableError';
  }
}

function deriveKey(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'tessera', purpose, 32));
}

function tryOpen(keys: readonly Buffer[], sealed: string, aad: string): { plaintext: string; index: number } | undefined {
  const [version, iv, body, tag] = sealed.split('.');
  if (version !== 'v1' || iv === undefined || body === undefined || tag === undefined) return undefined;
  for (const [index, key] of keys.entries()) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
        .setAAD(Buffer.from(aad))
        .setAuthTag(Buffer.from(tag, 'base64url'));
      const plaintext = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      return { plaintext, index };
    } catch {
      // Not this secret; try the next.
    }
  }
  return undefined;
}

/** `purpose` is the HKDF info: each kind of sealed value gets a key of its own. */
export function createSealer(secrets: readonly string[], purpose = 'tessera/jwk-encryption/v1'): Sealer {
  const keys = secrets.map((secret) => deriveKey(secret, purpose));
  const first = keys[0];
  if (!first) throw new Error('at least one system secret is needed');
  return {
    seal(plaintext: string, aad: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', first, iv).setAAD(Buffer.from(aad));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', iv, body, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    },
    open(sealed: string, aad: string): string {
      const opened = tryOpen(keys, sealed, aad);
      if (!opened) throw new UnopenableError();
      return opened.plaintext;
    },
    secretIndex: (sealed, aad) => tryOpen(keys, sealed, aad)?.index,
  };
}
