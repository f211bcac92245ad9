/*
 * Host names as the HTTP Host header carries them (RFC 9110 §7.2:
 * `uri-host [ ":" port ]`, an IPv6 literal in brackets, RFC 3986 §3.2.2),
 * put in one canonical form so an allow-list entry and a header compare as
 * plain strings: lower case, IDNA to punycode, IPv4 and IPv6 literals in
 * their shortest form (WHATWG URL host parsing does all of this), one
 * trailing dot dropped (`example.com.` is the same name).
 */

export interface HostAndPort {
  /** Canonical host: `admin.example.com`, `127.0.0.1`, `[::1]`. */
  readonly host: string;
  /** The port written after the host, if any. */
  readonly port: number | undefined;
}

/** A bracketed IPv6 literal or a name/IPv4 without the characters that would make it more than a host. */
const HOST_AND_PORT = /^(\[[0-9A-Fa-f:.]+\]|[^\s[\]:/?#@\\%]+)(?::(\d{1,5}))?$/;

function canonicalHost(raw: string): string | undefined {
  try {
    const host = new URL(`http://${raw}/`).hostname;
    const trimmed = host.endsWith('.') && !host.startsWith('[') ? host.slice(0, -1) : host;
    return trimmed === '' ? undefined : trimmed;
  } catch {
    return undefined;
  }
}

/**
 * What a Host header, or the authority of an absolute-form request target,
 * may contain: printable ASCII only (RFC 3986 §3.2.2: a reg-name outside
 * ASCII is percent-encoded, and HOST_AND_PORT refuses `%`). Node reads
 * header bytes as Latin-1 and the URL parser then folds them: `\xAAdmin`
 * (ª) and a soft hyphen both came out as `admin`, so a host the allow-list
 * never named matched it.
 */
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

function parseHost(value: string): HostAndPort | undefined {
  const match = HOST_AND_PORT.exec(value);
  if (!match) return undefined;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  const host = canonicalHost(match[1] ?? '');
  return host === undefined ? undefined : { host, port };
}

/** A Host header value (or a request target's authority), or undefined when it is not one. */
export function parseHostHeader(value: string): HostAndPort | undefined {
  return PRINTABLE_ASCII.test(value) ? parseHost(value) : undefined;
}

/**
 * An allow-list entry: what a Host header may be (`admin.internal`,
 * `admin.internal:4445`, `[::1]:4445`), or a bare IPv6 literal (`::1`),
 * which cannot carry a port.
 */
export function parseHostPattern(value: string): HostAndPort | undefined {
  const trimmed = value.trim();
  const bareIpv6 = !trimmed.startsWith('[') && (trimmed.match(/:/g) ?? []).length > 1;
  // Configuration may name a host in Unicode: it is put in punycode like any other.
  return parseHost(bareIpv6 ? `[${trimmed}]` : trimmed);
}

/** Whether a parsed Host header matches an entry: same host, and the same port when the entry names one. */
export function hostMatches(pattern: HostAndPort, actual: HostAndPort): boolean {
  return pattern.host === actual.host && (pattern.port === undefined || pattern.port === actual.port);
}
