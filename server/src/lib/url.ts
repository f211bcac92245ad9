/*
 * URLs that come from outside (client metadata, authorization and logout
 * requests, configuration) pass through here before they are stored or
 * used. The WHATWG parser that builds our redirects is more lenient than
 * RFC 3986: it reads `https:///cb` and `https:cb` as `https://cb/`, turns a
 * backslash into a slash and keeps port 0, so what was registered and where
 * the browser goes could differ; and it throws on a port above 65535, which
 * surfaced as a 500 after rows were written (issue 12, class 3).
 */

/** Schemes the WHATWG parser treats as "special": they always have a host. */
const SPECIAL = new Set(['http:', 'https:', 'ws:', 'wss:', 'ftp:']);
/** RFC 3986 §3: scheme ":" "//" authority, the authority up to the path, query or fragment. */
const AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/;
/** RFC 3986 §3.2.3: the port after the host (an IPv6 literal's colons are inside brackets). */
const PORT = /:([^:\]]*)$/;
/** RFC 3986 §2 allows neither; the WHATWG parser strips the ones it meets silently, or reads `\` as `/`. */
const FORBIDDEN = /[\s\u0000-\u001f\u007f\\]/;

/** RFC 3986 §3.2.3 and RFC 6335 §6: a port is 1 to 65535, written as plain digits. */
function portProblem(authority: string): string | undefined {
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const port = PORT.exec(hostPort)?.[1];
  if (port === undefined) return hostPort === '' ? 'has no host' : undefined;
  if (hostPort.length === port.length + 1) return 'has no host';
  if (!/^[1-9]\d{0,4}$/.test(port) || Number(port) > 65535) return 'has a port outside 1-65535';
  return undefined;
}

/**
 * Why `value` is not a usable absolute URL, or undefined when it is: no
 * whitespace, control characters or backslashes; a host after `//` for
 * http(s) and the other special schemes; a port, when written, of 1-65535;
 * and parseable. Private-use schemes (RFC 8252 §7.1: `com.example.app:/cb`)
 * need no authority.
 */
export function urlProblem(value: string): string | undefined {
  if (FORBIDDEN.test(value)) return 'must not contain whitespace, control characters or backslashes';
  const authority = AUTHORITY.exec(value)?.[1];
  if (authority !== undefined) {
    const problem = portProblem(authority);
    if (problem && (problem !== 'has no host' || SPECIAL.has(schemeOf(value)))) return problem;
  }
  if (!URL.canParse(value)) return 'is not an absolute URI';
  if (SPECIAL.has(new URL(value).protocol) && authority === undefined) return 'has no host (write scheme://host/…)';
  return undefined;
}

function schemeOf(value: string): string {
  return `${value.slice(0, value.indexOf(':')).toLowerCase()}:`;
}

/** The parsed URL when `value` passes `urlProblem`, else undefined. */
export function parseStrictUrl(value: string): URL | undefined {
  return urlProblem(value) === undefined ? new URL(value) : undefined;
}
