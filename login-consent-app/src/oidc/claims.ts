import type { User } from '../users/user.js';

/** Claims the ID token (and userinfo) may carry; Tessera adds `sub`, `iss`, `aud`, … itself. */
export type IdTokenClaims = Record<string, string | boolean>;

/**
 * ID token claims from the user record, by granted scope (OpenID Connect Core
 * §5.4): `email` gives `email` and `email_verified`, `profile` gives `name` and
 * `preferred_username`. Nothing is sent for a scope that was not granted.
 */
export function idTokenClaims(user: User, grantedScopes: readonly string[]): IdTokenClaims {
  const claims: IdTokenClaims = {};
  if (grantedScopes.includes('email')) {
    claims['email'] = user.email;
    claims['email_verified'] = user.emailVerified;
  }
  if (grantedScopes.includes('profile')) {
    if (user.name) claims['name'] = user.name;
    claims['preferred_username'] = user.username;
  }
  return claims;
}
