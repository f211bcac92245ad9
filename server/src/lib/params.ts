import { invalidRequest } from '../errors/catalog.js';

/** Parameters that may legitimately repeat; their values are joined with spaces (fosite's GetAudiences). */
const REPEATABLE = new Set(['audience']);

/**
 * An application/x-www-form-urlencoded string (a body or a query), strict as
 * RFC 6749 §3.1/§3.2 want: "parameters MUST NOT be included more than once";
 * NUL is refused (no database stores it).
 */
export function parseParams(text: string): Record<string, string> {
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of new URLSearchParams(text)) {
    if (name.includes('\0') || value.includes('\0')) throw invalidRequest('Parameters must not contain NUL characters.');
    const previous = params[name];
    if (previous === undefined) params[name] = value;
    else if (REPEATABLE.has(name)) params[name] = `${previous} ${value}`;
    else throw invalidRequest(`The parameter "${name}" appears more than once (RFC 6749 §3.1).`);
  }
  return params;
}
