import { customClaims } from './claims.js';
import type { TokenSession } from './token.js';

/** JWT NumericDate (RFC 7519 §2) from epoch milliseconds. */
export const seconds = (ms: number): number => Math.floor(ms / 1000);

export interface IdTokenSubject {
  readonly issuer: string;
  readonly clientId: string;
  readonly subject: string;
  readonly session: TokenSession;
  readonly nonce?: string | undefined;
}

/**
 * The claims of an ID token (OpenID Connect Core §2, §3.1.3.6): the consent's
 * `session.id_token` claims first, so none of them can replace a registered
 * claim (tokens/claims.ts drops those anyway). The same at the token endpoint
 * and, for implicit and hybrid responses, at the authorization endpoint.
 */
export function idTokenClaims(input: IdTokenSubject, now: number, ttlMs: number): Record<string, unknown> {
  const { session } = input;
  return {
    ...customClaims(session.idToken),
    iss: input.issuer,
    sub: input.subject,
    aud: [input.clientId],
    iat: seconds(now),
    exp: seconds(now + ttlMs),
    ...(session.authTime !== undefined ? { auth_time: seconds(session.authTime) } : {}),
    ...(input.nonce ? { nonce: input.nonce } : {}),
    ...(session.acr ? { acr: session.acr } : {}),
    ...(session.amr && session.amr.length > 0 ? { amr: [...session.amr] } : {}),
    ...(session.sid ? { sid: session.sid } : {}),
  };
}
