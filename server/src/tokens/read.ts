import type { TokenKind, TokenStrategy } from './hmac.js';
import type { JwtAccessTokens } from './jwt.js';

/*
 * Which stored token a presented one is, whatever its format: opaque tokens
 * by prefix and HMAC (tokens/hmac.ts, synchronous, no key material read),
 * JWT access tokens (RFC 9068) by signature, then `jti` (tokens/jwt.ts). The
 * answer is the `signature` column, so every reader of the row (introspection,
 * revocation, userinfo, CORS) treats both formats alike.
 */

export type JwtReader = Pick<JwtAccessTokens, 'lookupKey'>;

/** Like TokenStrategy.classify, JWT access tokens included. */
export async function classifyToken(token: string, strategy: TokenStrategy, jwt: JwtReader | undefined): Promise<{ kind: TokenKind; signature: string } | undefined> {
  const opaque = strategy.classify(token);
  if (opaque || !jwt || token.startsWith('ory_')) return opaque;
  const signature = await jwt.lookupKey(token);
  return signature === undefined ? undefined : { kind: 'access_token', signature };
}

/** The lookup key of an access token of either format; undefined when it is not one this server issued. */
export async function accessTokenKey(token: string, strategy: TokenStrategy, jwt: JwtReader | undefined): Promise<string | undefined> {
  const opaque = strategy.verify('access_token', token);
  if (opaque !== undefined || !jwt || token.startsWith('ory_')) return opaque;
  return jwt.lookupKey(token);
}
