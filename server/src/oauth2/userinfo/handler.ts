import { OAuth2Error } from '../../errors/oauth2-error.js';
import { invalidToken } from '../../errors/catalog.js';
import type { Clock } from '../../lib/clock.js';
import type { HandlerResult } from '../../lib/result.js';
import { randomUUID } from 'node:crypto';
import type { ClientStore, TokenStore } from '../../storage/ports.js';
import type { IdTokenSigner } from '../../keys/signer.js';
import type { TokenStrategy } from '../../tokens/hmac.js';
import { isActive, type TokenRecord } from '../../tokens/token.js';
import { customClaims } from '../../tokens/claims.js';
import { accessTokenKey, type JwtReader } from '../../tokens/read.js';
import { assertResourceBinding, presentedToken, resourceError, type ResourceDpopDeps } from '../dpop/index.js';

export interface UserinfoDeps {
  readonly tokens: Pick<TokenStore, 'get'>;
  readonly strategy: TokenStrategy;
  readonly clock: Clock;
  /** Reads JWT access tokens (RFC 9068) too; absent: opaque tokens only. */
  readonly jwt?: JwtReader | undefined;
  /** For signed answers (the client's userinfo_signed_response_alg); absent: always JSON. */
  readonly signed?: SignedUserinfoDeps | undefined;
  /** DPoP-bound tokens (RFC 9449 §7); absent: the DPoP scheme is refused. */
  readonly dpop?: ResourceDpopDeps | undefined;
}

export interface SignedUserinfoDeps {
  readonly clients: Pick<ClientStore, 'get'>;
  readonly signer: Pick<IdTokenSigner, 'sign'>;
  readonly issuer: string;
}

export interface UserinfoInput {
  readonly authorization: string | undefined;
  /** `access_token` in the query or body: refused (RFC 9700 §2.4 item 20, RFC 6750 §2.3). */
  readonly tokenElsewhere: boolean;
  /** GET or POST: a DPoP proof's `htm`. */
  readonly method?: string | undefined;
  /** The DPoP header as received (RFC 9449 §7.1). */
  readonly dpop?: string | undefined;
}

const insufficientScope = (hint: string) =>
  new OAuth2Error({ error: 'insufficient_scope', status: 403, description: 'The request requires higher privileges than provided by the access token.', hint });

/** The active access token `token` is, or undefined (also CORS's way to the client of a userinfo request, http/cors.ts). */
export async function activeAccessToken(token: string, deps: UserinfoDeps): Promise<TokenRecord | undefined> {
  const signature = await accessTokenKey(token, deps.strategy, deps.jwt);
  const record = signature === undefined ? undefined : await deps.tokens.get(signature);
  return record && record.kind === 'access_token' && isActive(record, deps.clock.now()) ? record : undefined;
}

/**
 * OpenID Connect Core §5.3: the subject and the claims the consent app put
 * in `session.id_token`, for an active access token that was granted
 * `openid`, presented as a Bearer header (RFC 6750 §2.1), or a DPoP-bound one
 * as a DPoP header with its proof (RFC 9449 §7.1).
 */
export async function userinfo(input: UserinfoInput, deps: UserinfoDeps): Promise<HandlerResult> {
  const presented = presentedToken(input.authorization);
  if (!presented) {
    throw invalidToken(input.tokenElsewhere ? 'Send the access token in the Authorization header, not the URL or body.' : 'No bearer token was sent.');
  }
  const record = await activeAccessToken(presented.token, deps);
  if (!record) {
    const hint = 'The access token is not active.';
    throw presented.scheme === 'dpop' ? resourceError('invalid_token', hint, deps.dpop?.algorithms ?? []) : invalidToken(hint);
  }
  // RFC 9449 §7: a bound token only with the DPoP scheme and a proof by its key; an unbound one only as Bearer.
  await assertResourceBinding({ presented, bound: record.session.jkt, method: input.method ?? 'GET', proof: input.dpop }, deps.dpop);
  if (!record.scope.includes('openid')) throw insufficientScope('The access token was not granted the "openid" scope.');
  // OIDC Core §8.1: a pairwise client sees its pairwise subject here as in its ID tokens (set at issuance, tokens/subject.ts).
  const claims = { ...customClaims(record.session.idToken), sub: record.session.obfuscatedSubject ?? record.subject };
  const alg = deps.signed ? (await deps.signed.clients.get(record.clientId))?.userinfo_signed_response_alg : undefined;
  if (!deps.signed || !alg || alg === 'none') return { kind: 'json', body: claims, headers: { 'Cache-Control': 'no-store' } };
  // OIDC Core §5.3.2: signed, with iss and aud; Hydra adds iat and jti. Signed by hydra.openid.id-token, like ID tokens.
  const now = Math.floor(deps.clock.now() / 1000);
  const jwt = await deps.signed.signer.sign(
    { ...claims, iss: deps.signed.issuer, aud: [record.clientId], iat: now, jti: randomUUID() },
    { alg, typ: 'JWT' },
  );
  return { kind: 'json', body: jwt, headers: { 'Cache-Control': 'no-store', 'Content-Type': 'application/jwt' } };
}
