import type { OAuth2Error } from '../../errors/oauth2-error.js';
import { invalidRequest } from '../../errors/catalog.js';
import { parseStrictUrl, urlProblem } from '../../lib/url.js';
import { redirect, type HandlerResult } from '../../lib/result.js';
import type { AuthorizeRequest } from '../../flows/flow.js';
import { FORM_POST_CSP, formPostPage } from './form-post.js';

/**
 * OAuth 2.0 Multiple Response Type Encoding Practices §2.1 and OAuth 2.0
 * Form Post Response Mode §2. A lookup table keyed by request input: a Map,
 * so `constructor` or `__proto__` is simply unknown.
 */
export type ResponseMode = 'query' | 'fragment' | 'form_post';
const MODES: ReadonlyMap<string, ResponseMode> = new Map([
  ['query', 'query'],
  ['fragment', 'fragment'],
  ['form_post', 'form_post'],
]);
export const RESPONSE_MODES: readonly ResponseMode[] = [...MODES.values()];

/**
 * The mode named by `response_mode`; undefined when it names none we know.
 * Without one, the response type's default (checks/response-type.ts).
 * An empty value is no value, as in fosite (its default mode is "").
 */
export function responseModeOf(value: string | undefined, fallback: ResponseMode): ResponseMode | undefined {
  return value === undefined || value === '' ? fallback : MODES.get(value);
}

/** Where an authorization response goes once client and redirect_uri are trusted. */
export interface RedirectTarget {
  readonly redirectUri: string;
  readonly state?: string | undefined;
  readonly mode: ResponseMode;
}

/** A flow's target; a flow stored before response modes existed answers in the query. */
export const targetOf = (request: AuthorizeRequest): RedirectTarget => ({
  redirectUri: request.redirectUri,
  state: request.state,
  mode: request.responseMode ?? 'query',
});

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

type Params = Record<string, string | undefined>;

function parsed(uri: string): URL {
  const url = parseStrictUrl(uri);
  if (!url) throw invalidRequest(`The redirect URI cannot be used: it ${urlProblem(uri) ?? 'is invalid'}.`);
  return url;
}

const defined = (params: Params): Array<[string, string]> => Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);

/**
 * Appends parameters to a redirect URI that may have a query of its own
 * (RFC 6749 §3.1.2). Callers build the redirect before they write anything
 * for it; a URI that cannot carry one (stored before lib/url.ts's rules) is
 * a 400 shown to the user, never a 500 after a half-finished step.
 */
export function withParams(uri: string, params: Params): string {
  const url = parsed(uri);
  for (const [name, value] of defined(params)) url.searchParams.append(name, value);
  return url.toString();
}

/**
 * An authorization response (success or error) in the target's mode, with
 * `state` and RFC 9207 `iss` in every mode. Built before anything is stored,
 * like withParams: it throws for a URI that cannot carry it.
 */
export function authorizationResponse(target: RedirectTarget, params: Params, issuer: string): HandlerResult {
  const all = { ...params, state: target.state, iss: issuer };
  switch (target.mode) {
    case 'query':
      return redirect(withParams(target.redirectUri, all));
    case 'fragment': {
      const url = parsed(target.redirectUri);
      url.hash = new URLSearchParams(defined(all)).toString();
      return redirect(url.toString());
    }
    case 'form_post':
      parsed(target.redirectUri);
      return { kind: 'html', body: formPostPage(target.redirectUri, defined(all)), csp: FORM_POST_CSP };
  }
}

/** An error as it travels to the client: ours, or one the login/consent app chose. */
export interface RedirectedError {
  readonly error: string;
  readonly description: string;
  readonly hint?: string | undefined;
}

/** RFC 6749 §4.1.2.1 plus RFC 9207 `iss`, in the request's response mode. */
export function errorResponse(target: RedirectTarget, err: RedirectedError, issuer: string): HandlerResult {
  return authorizationResponse(target, { error: err.error, error_description: [err.description, err.hint].filter(Boolean).join(' ') }, issuer);
}
