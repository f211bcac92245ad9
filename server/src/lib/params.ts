import { invalidRequest } from '../errors/catalog.js';
import { isCleanText } from './text.js';

/**
 * Parameters that may legitimately repeat; their values are joined with
 * spaces (fosite's GetAudiences): `audience`, and RFC 8707's `resource`.
 */
const REPEATABLE = new Set(['audience', 'resource']);

/**
 * Lists of URIs: no URI contains a space (RFC 3986 §2), so the joined list
 * splits back into exactly the values sent. A value with a space in it is no
 * URI; it is kept as an empty entry, which the resource check refuses
 * (oauth2/resource.ts, `invalid_target`), instead of being read as two URIs.
 */
const URI_LISTS = new Set(['resource']);

/**
 * An application/x-www-form-urlencoded string (a body or a query), strict as
 * RFC 6749 §3.1/§3.2 want: "parameters MUST NOT be included more than once";
 * NUL and invalid UTF-8 are refused (lib/text.ts). Names are plain strings:
 * `a[b]` is the parameter "a[b]", never a nested object, and the record has
 * no prototype, so no name reaches Object.prototype.
 */
export function parseParams(text: string): Record<string, string> {
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of new URLSearchParams(text)) {
    if (!isCleanText(name) || !isCleanText(value)) throw invalidRequest('Parameters must be UTF-8 text without NUL characters.');
    const item = URI_LISTS.has(name) && value.includes(' ') ? '' : value;
    const previous = params[name];
    if (previous === undefined) params[name] = item;
    else if (REPEATABLE.has(name)) params[name] = `${previous} ${item}`;
    else throw invalidRequest(`The parameter "${name}" appears more than once (RFC 6749 §3.1).`);
  }
  return params;
}
