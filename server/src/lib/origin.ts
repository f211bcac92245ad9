/*
 * Web origins as configuration names them (RFC 6454 §6.2, the ASCII
 * serialisation a browser sends in `Origin`): `scheme://host[:port]`, no
 * path, query, fragment or trailing slash, the default port left out. An
 * entry is kept in that serialised form so that it and a request's Origin
 * header compare as plain strings.
 */

/** The serialised origin `value` names, or the reason it names none. */
export function parseOrigin(value: string): { origin: string } | { problem: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: `"${value}" is not an origin (scheme://host[:port])` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: `"${value}" must be an http or https origin` };
  if (url.username !== '' || url.password !== '') return { problem: `"${value}" must not carry user information` };
  if (value.toLowerCase() !== url.origin) {
    return { problem: `"${value}" is not an origin: write scheme://host[:port] with no path, query, fragment, trailing slash or default port ("${url.origin}")` };
  }
  return { origin: url.origin };
}
