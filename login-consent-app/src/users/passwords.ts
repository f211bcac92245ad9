import { hash, verify } from '@node-rs/argon2';

/*
 * argon2id with the library's defaults, which are OWASP's minimum
 * recommendation (19 MiB memory, 2 passes, 1 lane; RFC 9106 §4 second
 * choice for memory-constrained hosts). The PHC string carries salt and
 * parameters, so raising them later only affects new hashes.
 */

export const MIN_PASSWORD_LENGTH = 6;
const MAX_PASSWORD_LENGTH = 1024;

export async function hashPassword(password: string): Promise<string> {
  if (password.length < MIN_PASSWORD_LENGTH) throw new Error(`A password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
  if (password.length > MAX_PASSWORD_LENGTH) throw new Error(`A password has at most ${MAX_PASSWORD_LENGTH} characters.`);
  return hash(password);
}

/** False for a wrong password and for a malformed hash; never throws on user input. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * A hash to verify against when the e-mail is unknown, so an unknown address
 * costs as much time as a known one and response times do not reveal which
 * accounts exist.
 */
export function dummyHash(): Promise<string> {
  dummy ??= hash('not a real password, only here to spend the same time');
  return dummy;
}
