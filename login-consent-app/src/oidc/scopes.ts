import type { ScopeText } from './scope-texts.js';

/*
 * What each scope means to the person asked, and which ones cannot be
 * declined. The operator's texts (SCOPE_DESCRIPTIONS_FILE, scope-texts.ts)
 * come first, then the built-in ones; a scope neither describes is still
 * shown by name, saying plainly that nobody described it: a consent screen
 * must never hide what it grants.
 */

export interface ScopeInfo {
  readonly scope: string;
  readonly title: string;
  readonly description: string;
  /** Cannot be unticked: the request makes no sense without it. */
  readonly required: boolean;
}

const STAY_CONNECTED = { title: 'Stay connected', description: 'Keep access when you are not using it, until you revoke it (a refresh token).' };

/** A Map: scopes come from the authorization request, and `constructor` is a scope name like any other. */
const KNOWN: ReadonlyMap<string, { title: string; description: string }> = new Map([
  ['openid', { title: 'Sign you in', description: 'Confirm who you are with your account ID.' }],
  ['profile', { title: 'Your profile', description: 'Read your name and username.' }],
  ['email', { title: 'Your email address', description: 'Read your email address and whether it is verified.' }],
  ['address', { title: 'Your address', description: 'Read your postal address.' }],
  ['phone', { title: 'Your phone number', description: 'Read your phone number.' }],
  ['offline_access', STAY_CONNECTED],
  ['offline', STAY_CONNECTED],
]);

/**
 * `openid` is required: OpenID Connect Core §3.1.2.1 makes it what turns the
 * request into a sign-in, and the client asked for a sign-in, not for data.
 */
const REQUIRED = new Set(['openid']);

export function describeScope(scope: string, operator: ReadonlyMap<string, ScopeText> = new Map()): ScopeInfo {
  const known = operator.get(scope) ?? KNOWN.get(scope);
  return {
    scope,
    title: known?.title ?? scope,
    description: known?.description ?? 'A permission this service has not described. Allow it only if you know what the application will do with it.',
    required: REQUIRED.has(scope),
  };
}

/**
 * The scopes to grant: those ticked on the form, but only among the requested
 * ones (a forged form cannot widen the grant), and always the required ones
 * (a forged form cannot drop them either).
 */
export function grantedScopes(requested: readonly string[], ticked: readonly string[]): string[] {
  const wanted = new Set(ticked);
  return requested.filter((scope) => REQUIRED.has(scope) || wanted.has(scope));
}
