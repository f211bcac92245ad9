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

/**
 * How deep a request's JSON may nest. Nothing in either API nests past a
 * handful of levels (claims objects included); 100 KB of `[` would otherwise
 * reach every recursive walker downstream (zod, knex, JSON.stringify).
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Every string of a parsed JSON value, member names included, walked without
 * recursion; nesting past MAX_JSON_DEPTH is refused.
 */
export function assertCleanJson(value: unknown): void {
  const pending: Array<[unknown, number]> = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, depth] = next;
    if (typeof item === 'string') {
      assertCleanText(item, 'The request body');
      continue;
    }
    if (item === null || typeof item !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) throw invalidRequest(`The request body may nest at most ${MAX_JSON_DEPTH} levels deep.`);
    if (Array.isArray(item)) {
      for (const member of item) pending.push([member, depth + 1]);
      continue;
    }
    for (const [key, member] of Object.entries(item)) {
      assertCleanText(key, 'The request body');
      pending.push([member, depth + 1]);
    }
  }
}
