import { decodeJwt, decodeProtectedHeader, errors as joseErrors, importJWK, jwtVerify, type JWK } from 'jose';
import type { TokenRequest, TokenResponse } from '@tessera/sdk';
import type { Client } from '../../../clients/client.js';
import { invalidGrant, invalidRequest, invalidScope, unauthorizedClient } from '../../../errors/catalog.js';
import { lifespan } from '../../../tokens/lifespans.js';
import { timeOrderedId } from '../../../lib/crypto.js';
import { withBinding, type TokenRecord } from '../../../tokens/token.js';
import type { TrustedIssuer } from '../../../storage/ports.js';
import { CLOCK_SKEW_S, jtiKey } from '../../client-auth/assertion.js';
import { ASYMMETRIC_ALGS } from '../../client-auth/private-key-jwt.js';
import { firstDisallowedScope, parseScope } from '../../scope.js';
import { requestedAudience } from '../../resource.js';
import type { GrantDeps } from '../deps.js';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/*
 * RFC 7523 §2.1 / §3, as Hydra serves it (fosite handler/rfc7523): the
 * client trades an assertion by a trusted issuer (the trust API,
 * oauth2/trust/) for an access token whose subject is the assertion's `sub`.
 * The issuer, subject and key must match a live trust relationship; `aud`
 * names the token endpoint or the issuer; `exp` is required and at most
 * `oauth2.grant.jwt.max_ttl` ahead; `iat` and `jti` are required unless the
 * config says optional; a `jti` is accepted once until `exp` (a unique
 * insert, across processes). Scope must be within both the client's and the
 * trust relationship's. No refresh token (RFC 7523 §2.1 does not call for one).
 */

async function trustedKeys(assertion: string, deps: GrantDeps): Promise<{ grants: TrustedIssuer[]; alg: string }> {
  let iss: unknown;
  let sub: unknown;
  let kid: unknown;
  let alg: unknown;
  try {
    ({ iss, sub } = decodeJwt(assertion));
    ({ kid, alg } = decodeProtectedHeader(assertion));
  } catch {
    throw invalidGrant('The assertion is not a JWT (RFC 7523 §2.1).');
  }
  if (typeof iss !== 'string' || iss === '') throw invalidGrant('The assertion has no "iss" (RFC 7523 §3).');
  if (typeof sub !== 'string' || sub === '') throw invalidGrant('The assertion has no "sub" (RFC 7523 §3).');
  if (typeof alg !== 'string' || !ASYMMETRIC_ALGS.includes(alg)) throw invalidGrant('The assertion must be signed with an asymmetric algorithm.');
  const jwt = deps.jwtBearer;
  const grants = jwt ? await jwt.trust.find(iss, sub, typeof kid === 'string' ? kid : undefined, deps.clock.now()) : [];
  if (grants.length === 0) throw invalidGrant(`No trust relationship for issuer "${iss}" and this subject and key (RFC 7523 §3).`);
  // A relationship naming the subject first, then any-subject ones.
  return { grants: [...grants].sort((a, b) => Number(b.subject === sub) - Number(a.subject === sub)), alg };
}

/** What a trusted JWT must satisfy besides signature, issuer and time: its `aud` (one of) and the claims it must carry. */
export interface TrustedJwtRules {
  readonly audiences: readonly string[];
  readonly required: readonly string[];
  readonly maxTtl: number;
}

async function verifiedClaims(assertion: string, grant: TrustedIssuer, alg: string, deps: GrantDeps, rules: TrustedJwtRules) {
  const now = deps.clock.now();
  try {
    const key = await importJWK(grant.publicJwk as JWK, alg);
    const { payload } = await jwtVerify(assertion, key, { algorithms: [alg], issuer: grant.issuer, audience: [...rules.audiences], currentDate: new Date(now), clockTolerance: CLOCK_SKEW_S, requiredClaims: [...rules.required] });
    return payload;
  } catch (err) {
    throw invalidGrant(`The assertion is invalid: ${err instanceof joseErrors.JOSEError ? err.message : 'it could not be verified'} (RFC 7523 §3).`);
  }
}

/**
 * The trust relationship whose key verifies the assertion, and its claims,
 * with the time rules checked. Token exchange (grants/token-exchange.ts)
 * reads other issuers' subject and actor tokens through here too.
 */
export async function verifiedAssertion(assertion: string, deps: GrantDeps, rules: TrustedJwtRules) {
  const { grants, alg } = await trustedKeys(assertion, deps);
  // Without a `kid` several keys may be trusted: the first that verifies decides.
  let refusal: unknown;
  for (const grant of grants) {
    let claims;
    try {
      claims = await verifiedClaims(assertion, grant, alg, deps, rules);
    } catch (err) {
      refusal = err;
      continue;
    }
    const now = deps.clock.now();
    if ((claims.exp ?? 0) * 1000 > now + rules.maxTtl) throw invalidGrant(`The assertion expires too far ahead: "exp" may be at most ${Math.floor(rules.maxTtl / 1000)} seconds from now.`);
    if (typeof claims.iat === 'number' && claims.iat * 1000 > now + CLOCK_SKEW_S * 1000) throw invalidGrant('The assertion was issued in the future ("iat").');
    return { grant, claims };
  }
  throw refusal;
}

export async function jwtBearerGrant(request: TokenRequest, client: Client, deps: GrantDeps): Promise<TokenResponse> {
  if (!client.grant_types.includes(JWT_BEARER_GRANT)) throw unauthorizedClient(`The client is not allowed to use the grant "${JWT_BEARER_GRANT}".`);
  const jwt = deps.jwtBearer;
  if (!jwt) throw unauthorizedClient('The jwt-bearer grant is not available.');
  if (!request.assertion) throw invalidRequest('The "assertion" parameter is missing (RFC 7523 §2.1).');
  const required = ['exp', ...(jwt.iatOptional ? [] : ['iat']), ...(jwt.jtiOptional ? [] : ['jti'])];
  const { grant, claims } = await verifiedAssertion(request.assertion, deps, { audiences: jwt.audiences, required, maxTtl: jwt.maxTtl });

  const scope = parseScope(request.scope);
  const badScope = firstDisallowedScope(scope, parseScope(client.scope), deps.scopeStrategy) ?? firstDisallowedScope(scope, grant.scope, deps.scopeStrategy);
  if (badScope !== undefined) throw invalidScope(`The scope "${badScope}" is not allowed for this client and trust relationship.`);
  // Hydra's `audience` and RFC 8707's `resource` together (oauth2/resource.ts).
  const audience = requestedAudience(request, client.audience);

  const now = deps.clock.now();
  // Last, so that a refused request does not burn the jti.
  const jtiUntil = (claims.exp ?? 0) * 1000 + CLOCK_SKEW_S * 1000;
  if (typeof claims.jti === 'string' && !(await jwt.jtis.use(jtiKey('grant', grant.issuer, claims.jti), jtiUntil, now))) {
    throw invalidGrant('The assertion was used before: its "jti" may be used once (RFC 7523 §3).');
  }
  return issueAccessToken(client, String(claims.sub), scope, audience, deps, now);
}

async function issueAccessToken(client: Client, subject: string, scope: string[], audience: string[], deps: GrantDeps, now: number): Promise<TokenResponse> {
  const ttl = lifespan(client, 'jwt_bearer_grant_access_token_lifespan', deps.ttl.accessToken);
  const minted = deps.strategy.mint('access_token');
  const record: TokenRecord = {
    signature: minted.signature,
    kind: 'access_token',
    familyId: timeOrderedId(now),
    clientId: client.client_id,
    subject,
    scope,
    audience,
    // RFC 9449 §5: bound to the request's DPoP key, if it sent a proof.
    session: withBinding({}, deps.dpopJkt),
    issuedAt: now,
    expiresAt: now + ttl,
    usedAt: null,
    revoked: false,
  };
  await deps.tokens.insert([record]);
  return { access_token: minted.token, token_type: 'bearer', expires_in: Math.floor(ttl / 1000), scope: scope.join(' ') };
}
