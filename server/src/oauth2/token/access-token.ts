import type { Client } from '../../clients/client.js';
import type { TokenStrategy } from '../../tokens/hmac.js';
import type { JwtAccessTokens } from '../../tokens/jwt.js';
import { withBinding, type TokenRecord, type TokenSession } from '../../tokens/token.js';

/*
 * One access token, opaque or JWT (RFC 9068), and the row that records it.
 * The format is the client's `access_token_strategy`, else
 * `strategies.access_token` (Hydra's precedence); a JWT is signed with the
 * client's `access_token_signed_response_alg` (a Tessera extension, default
 * RS256) by hydra.jwt.access-token. Every grant, and the authorization
 * endpoint's implicit/hybrid responses, mint through here.
 */

export type AccessTokenFormat = 'opaque' | 'jwt';

export interface AccessTokenFormats {
  /** `strategies.access_token`. */
  readonly default: AccessTokenFormat;
  readonly jwt: Pick<JwtAccessTokens, 'mint'>;
}

export interface AccessTokenDeps {
  readonly strategy: TokenStrategy;
  readonly issuer: string;
  /** Absent: opaque only (as before JWT access tokens existed). */
  readonly accessTokens?: AccessTokenFormats | undefined;
  /** Per token request: the thumbprint of its verified DPoP proof (RFC 9449 §6), set by the token endpoint (oauth2/dpop/). */
  readonly dpopJkt?: string | undefined;
}

export interface AccessTokenGrant {
  readonly client: Client;
  readonly familyId: string;
  readonly subject: string;
  readonly scope: readonly string[];
  readonly audience: readonly string[];
  readonly session: TokenSession;
  /** Milliseconds. */
  readonly now: number;
  readonly ttl: number;
}

/** The client's access-token format. */
export function accessTokenFormat(client: Pick<Client, 'access_token_strategy'>, deps: AccessTokenDeps): AccessTokenFormat {
  if (!deps.accessTokens) return 'opaque';
  const own = client.access_token_strategy;
  return own === 'jwt' || own === 'opaque' ? own : deps.accessTokens.default;
}

/** Mints the access token; the caller stores the record (with the rest of the response's rows). */
export async function mintAccessToken(grant: AccessTokenGrant, deps: AccessTokenDeps): Promise<{ token: string; record: TokenRecord }> {
  const { client, now } = grant;
  // RFC 9449 §6: bound to this request's proof key, or to none (a refresh token's binding is not inherited).
  const session = withBinding(grant.session, deps.dpopJkt);
  const expiresAt = now + grant.ttl;
  const minted =
    accessTokenFormat(client, deps) === 'jwt' && deps.accessTokens
      ? await deps.accessTokens.jwt.mint(
          {
            issuer: deps.issuer,
            clientId: client.client_id,
            subject: grant.subject,
            scope: grant.scope,
            audience: grant.audience,
            issuedAt: now,
            expiresAt,
            authTime: session.authTime,
            acr: session.acr,
            amr: session.amr,
            ext: session.ext,
            jkt: session.jkt,
            act: session.act,
          },
          client.access_token_signed_response_alg || 'RS256',
        )
      : deps.strategy.mint('access_token');
  const record: TokenRecord = {
    signature: minted.signature,
    kind: 'access_token',
    familyId: grant.familyId,
    clientId: client.client_id,
    subject: grant.subject,
    scope: grant.scope,
    audience: grant.audience,
    session,
    issuedAt: now,
    expiresAt,
    usedAt: null,
    revoked: false,
  };
  return { token: minted.token, record };
}
