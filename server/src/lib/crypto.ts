import { createHash, randomFillSync } from 'node:crypto';

/*
 * Random bytes from the CSPRNG, drawn in 4 KB at a time: a call into it costs
 * about as much for 4 KB as for 32 bytes, and a token request needs several
 * small draws (node's randomUUID pools the same way). Every byte is handed
 * out once, as a copy.
 */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let poolOffset = POOL_BYTES;

export function randomBuffer(size: number): Buffer {
  if (size > POOL_BYTES) return randomFillSync(Buffer.alloc(size));
  if (poolOffset + size > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = Buffer.allocUnsafe(size);
  pool.copy(out, 0, poolOffset, poolOffset + size);
  poolOffset += size;
  return out;
}

/** base64url without padding (RFC 4648 §5), the encoding of every token and id we mint. */
export function randomToken(bytes = 32): string {
  return randomBuffer(bytes).toString('base64url');
}

export function sha256(data: string | Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

/**
 * A UUIDv7 (RFC 9562 §5.7): 48 bits of Unix milliseconds, then 74 random
 * bits. Ids minted close in time sort close together, so a row inserted with
 * one lands on the index page the previous row touched, not on a random one
 * (on SQLite, a random key costs one more 4 KB page written per insert).
 * 74 random bits keep the ids unguessable; they are row keys, not secrets.
 */
export function timeOrderedId(now = Date.now()): string {
  const bytes = randomBuffer(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
