import { invalidRequest } from '../errors/catalog.js';

/*
 * Text the server accepts from a request: no NUL (PostgreSQL cannot store
 * U+0000 in text, and nothing legitimate sends it), no U+FFFD (what invalid
 * UTF-8 decodes to: bytes that were never text), no lone surrogate (only
 * reachable through JSON's \uD800 escapes; not UTF-8 either, and PostgreSQL's
 * jsonb refuses it). Checked where a request's bytes become strings: bodies,
 * the query and path, and Basic credentials.
 */

// With the u flag a surrogate pair is one code point, so \p{Cs} matches only a lone surrogate.
const FORBIDDEN = /[\u0000\uFFFD\p{Cs}]/u;

/** True when `text` is something the server stores or compares. */
export function isCleanText(text: string): boolean {
  return !FORBIDDEN.test(text);
}

export function assertCleanText(text: string, what: string): void {
  if (!isCleanText(text)) throw invalidRequest(`${what} must be UTF-8 text without NUL characters.`);
}

/** Every string of a parsed JSON value, member names included. */
export function assertCleanJson(value: unknown): void {
  if (typeof value === 'string') return assertCleanText(value, 'The request body');
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) assertCleanJson(item);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    assertCleanText(key, 'The request body');
    assertCleanJson(item);
  }
}
