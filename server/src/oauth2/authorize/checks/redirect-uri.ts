import type { Client } from '../../../clients/client.js';
import { invalidRequest } from '../../../errors/catalog.js';

/** `http://127.0.0.1` or `http://[::1]`, an optional port, and the rest as written. */
const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\])(:\d{1,5})?([/?].*)?$/;

/**
 * RFC 8252 §7.3: a native app's loopback redirect may use any port; every
 * other character must match the registered URI as written (no parsing, so
 * no normalisation of case, dot segments or backslashes). `localhost` gets
 * no such leeway (RFC 8252 §8.3 advises against it).
 */
function loopbackMatch(requested: string, registered: string): boolean {
  const a = LOOPBACK.exec(requested);
  const b = LOOPBACK.exec(registered);
  return !!a && !!b && a[1] === b[1] && (a[3] ?? '') === (b[3] ?? '');
}

/**
 * RFC 6749 §3.1.2.3 and RFC 9700 §4.1.3: exact string comparison with the
 * registered URIs. Without `redirect_uri`, the client must have exactly one.
 * Failures are shown to the user, never redirected (no open redirector).
 */
export function resolveRedirectUri(client: Client, requested: string | undefined): { uri: string; sent: boolean } {
  const registered = client.redirect_uris;
  if (requested === undefined || requested === '') {
    const only = registered.length === 1 ? registered[0] : undefined;
    if (only === undefined) {
      throw invalidRequest('The redirect_uri parameter is required: the client has several or no registered redirect URIs.');
    }
    return { uri: only, sent: false };
  }
  if (registered.includes(requested) || registered.some((r) => loopbackMatch(requested, r))) {
    return { uri: requested, sent: true };
  }
  throw invalidRequest('The redirect_uri does not match any of the client\'s registered redirect URIs.');
}
