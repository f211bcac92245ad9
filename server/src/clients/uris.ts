import { invalidClientMetadata, invalidRedirectUri } from '../errors/catalog.js';
import type { OAuth2Error } from '../errors/oauth2-error.js';
import { urlProblem } from '../lib/url.js';

/*
 * URI rules for client metadata: RFC 7591 §2, RFC 6749 §3.1.2 (absolute, no
 * fragment), RFC 8252 §7 (native apps: loopback over http, private-use
 * schemes), RFC 9700 §2.1 / §4.1 (no open redirectors).
 */

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const DANGEROUS_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:']);

export function isLoopback(url: URL): boolean {
  return LOOPBACK.has(url.hostname) || url.hostname.endsWith('.localhost');
}

/**
 * Parsed only when what the WHATWG parser makes of it is what was written
 * (lib/url.ts): a host after `//`, a port of 1-65535, no whitespace,
 * control characters or backslashes. We store the original string and
 * compare requests with it, but the browser goes where the parser says.
 */
function parse(field: string, value: string, error: (hint: string) => OAuth2Error): URL {
  const problem = urlProblem(value);
  if (problem !== undefined) throw error(`${field}: "${value.trim()}" ${problem}.`);
  return new URL(value);
}

export interface UriPolicy {
  /** `--dev`: allow plain http to any host. */
  readonly allowInsecure: boolean;
}

/** A URI the browser is sent to (redirect_uris, post_logout_redirect_uris). */
export function checkRedirectUri(field: string, value: string, policy: UriPolicy): void {
  const url = parse(field, value, invalidRedirectUri);
  if (value.includes('#')) throw invalidRedirectUri(`${field}: "${value}" must not contain a fragment (RFC 6749 §3.1.2).`);
  if (DANGEROUS_SCHEMES.has(url.protocol)) throw invalidRedirectUri(`${field}: the scheme "${url.protocol}" is not allowed.`);
  if (url.protocol === 'http:' && !isLoopback(url) && !policy.allowInsecure) {
    throw invalidRedirectUri(`${field}: "${value}" must use https; plain http is allowed only for loopback hosts (RFC 8252 §7.3).`);
  }
}

/** A web page or endpoint of the client (client_uri, logo_uri, backchannel_logout_uri, …). */
export function checkWebUri(field: string, value: string, policy: UriPolicy, options: { httpsOnly?: boolean } = {}): void {
  const url = parse(field, value, invalidClientMetadata);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalidClientMetadata(`${field}: "${value}" must be an http(s) URI.`);
  }
  if (value.includes('#')) throw invalidClientMetadata(`${field}: "${value}" must not contain a fragment.`);
  if (options.httpsOnly && url.protocol === 'http:' && !isLoopback(url) && !policy.allowInsecure) {
    throw invalidClientMetadata(`${field}: "${value}" must use https.`);
  }
}

/** An origin for CORS: scheme, host and port only. */
export function checkOrigin(field: string, value: string): void {
  const url = parse(field, value, invalidClientMetadata);
  if (url.origin === 'null' || url.origin !== value) {
    throw invalidClientMetadata(`${field}: "${value}" must be an origin such as https://app.example.com (no path, no trailing slash).`);
  }
}
