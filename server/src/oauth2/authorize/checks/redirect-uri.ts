import type { Client } from '../../../clients/client.js';
import { invalidRequest } from '../../../errors/catalog.js';
import { urlProblem } from '../../../lib/url.js';

/** `http://127.0.0.1` or `http://[::1]`, an optional port, and the rest as written. */
const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\])(:\d+)?([/?].*)?$/;

/**
 * RFC 8252 §7.3: a native app's loopback redirect may use any port; every
 * other character must match the registered URI as written (no parsing, so
 * no normalisation of case, dot segments or backslashes). "Any port" is a
 * port, 1-65535 (lib/url.ts): 99999 passed here once and broke the redirect
 * built from it. `localhost` gets no such leeway (RFC 8252 §8.3 advises
 * against it).
 */
function loopbackMatch(requested: string, registered: string): boolean {
  const a = LOOPBACK.exec(requested);
  const b = LOOPBACK.exec(registered);
  return !!a && !!b && a[1] === b[1] && (a[3] ?? '') === (b[3] ?? '') && urlProblem(requested) === undefined;
}

/**
 * RFC 6749 §3.1.2.3 and RFC 9700 §4.1.3: exact string comparison with the
 * registered URIs. Without `redirect_uri`, the client must have exactly one.
 * Failures are shown to the user, never redirected (no open redirector); so
 * is a registered URI that cannot carry a response (registered before the
 * rules of lib/url.ts), before anything is stored for the request.
 */
export function resolveRedirectUri(client: Client, requested: string | undefined): { uri: string; sent: boolean } {
  const resolved = resolve(client.redirect_uris, requested);
  const problem = urlProblem(resolved.uri);
  if (problem !== undefined) throw invalidRequest(`The redirect_uri cannot be used: it ${problem}.`);
  return resolved;
}

function resolve(registered: readonly string[], requested: string | undefined): { uri: string; sent: boolean } {
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
