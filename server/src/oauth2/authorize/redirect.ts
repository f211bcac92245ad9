import type { OAuth2Error } from '../../errors/oauth2-error.js';
import { invalidRequest } from '../../errors/catalog.js';
import { parseStrictUrl, urlProblem } from '../../lib/url.js';

/** Where an authorization response goes once client and redirect_uri are trusted. */
export interface RedirectTarget {
  readonly redirectUri: string;
  readonly state?: string | undefined;
}

/** An error found after the redirect_uri was validated: sent to the client (RFC 6749 §4.1.2.1). */
export class RedirectableError extends Error {
  readonly oauth: OAuth2Error;
  readonly target: RedirectTarget;

  constructor(oauth: OAuth2Error, target: RedirectTarget) {
    super(oauth.message);
    this.name = 'RedirectableError';
    this.oauth = oauth;
    this.target = target;
  }
}

/**
 * Appends parameters to a redirect URI that may have a query of its own
 * (RFC 6749 §3.1.2). Callers build the redirect before they write anything
 * for it; a URI that cannot carry one (stored before lib/url.ts's rules) is
 * a 400 shown to the user, never a 500 after a half-finished step.
 */
export function withParams(uri: string, params: Record<string, string | undefined>): string {
  const url = parseStrictUrl(uri);
  if (!url) throw invalidRequest(`The redirect URI cannot be used: it ${urlProblem(uri) ?? 'is invalid'}.`);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.append(name, value);
  return url.toString();
}

/** An error as it travels in a redirect: ours, or one the login/consent app chose. */
export interface RedirectedError {
  readonly error: string;
  readonly description: string;
  readonly hint?: string | undefined;
}

/** RFC 6749 §4.1.2.1 plus RFC 9207 `iss`. */
export function errorRedirect(target: RedirectTarget, err: RedirectedError, issuer: string): string {
  return withParams(target.redirectUri, {
    error: err.error,
    error_description: [err.description, err.hint].filter(Boolean).join(' '),
    state: target.state,
    iss: issuer,
  });
}
