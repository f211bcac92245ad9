import type { TokenRequest, TokenResponse } from '@tessera/sdk';
import { isPublicClient, type Client } from '../../../clients/client.js';
import { invalidRequest, invalidScope, invalidTarget, unauthorizedClient } from '../../../errors/catalog.js';
import { timeOrderedId } from '../../../lib/crypto.js';
import type { TokenSession } from '../../../tokens/token.js';
import { firstDisallowedAudience, firstDisallowedScope, parseScope, scopeAllowed } from '../../scope.js';
import { accessTokenFormat, mintAccessToken } from '../access-token.js';
import type { GrantDeps } from '../deps.js';
import { withVisibleSubject } from '../issue.js';
import { parseResources } from '../../resource.js';
import { readPresentedToken, refused, TOKEN_TYPE, type PresentedToken, type Role } from '../exchange/presented-token.js';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/*
 * RFC 8693 token exchange (an extension: Hydra has none). A confidential
 * client registered for the grant trades a subject token
 * (exchange/presented-token.ts) for a new access token of the same subject:
 *
 * - Delegation (§1.1): with an actor_token, the new token carries
 *   `act: {sub: <actor>}` (§4.1; `iss` too for another issuer's actor), the
 *   subject token's own `act` nested inside it. Without one it is
 *   impersonation, allowed only for a client registered with
 *   `allow_token_exchange_impersonation: true` (a Tessera client field); the
 *   subject token's `act`, if any, is kept as it is, so a delegated token
 *   never turns into an impersonating one.
 * - `may_act` in a trusted issuer's subject token (§4.4) names who may act.
 * - Narrowing only: `scope` within the subject token's scope and the
 *   client's (absent: what both allow); `audience` and `resource` (§2.1,
 *   RFC 8707: absolute URIs) each among the client's allowed audiences, else
 *   `invalid_target` (§2.2.2).
 * - `requested_token_type`: an access token (`issued_token_type` says which
 *   was issued), or `...:jwt` for a client whose access tokens are JWTs.
 * - The token is recorded like any access token (introspection, revocation,
 *   JWT access tokens show `act`), in a family of its own: revoking the
 *   subject token, or refreshing the grant it came from, does not revoke it,
 *   but it never outlives the subject (or actor) token. No refresh token:
 *   the client exchanges again while the subject token lives.
 */

const ACCESS_TOKEN_TYPES: ReadonlyMap<string, string> = new Map([
  [TOKEN_TYPE.accessToken, TOKEN_TYPE.accessToken],
  [TOKEN_TYPE.jwt, TOKEN_TYPE.jwt],
]);

/** RFC 8693 §2.1: the type of token asked for, and whether this client can have it. */
function issuedTokenType(requested: string | undefined, client: Client, deps: GrantDeps): string {
  if (requested === undefined || requested === '') return TOKEN_TYPE.accessToken;
  const type = ACCESS_TOKEN_TYPES.get(requested);
  if (type === TOKEN_TYPE.jwt && accessTokenFormat(client, deps) !== 'jwt') {
    throw invalidRequest('The requested_token_type "urn:ietf:params:oauth:token-type:jwt" needs a client whose access tokens are JWTs (access_token_strategy "jwt").');
  }
  if (type === undefined) throw invalidRequest(`The requested_token_type "${requested}" cannot be issued; use ${TOKEN_TYPE.accessToken} (RFC 8693 §2.2.2).`);
  return type;
}

/** Scope within the subject token's and the client's; absent, all of the subject token's that the client may have. */
function narrowedScope(requested: string | undefined, subject: PresentedToken, client: Client, deps: GrantDeps): string[] {
  const clientScope = parseScope(client.scope);
  if (requested === undefined) return subject.scope.filter((s) => scopeAllowed(s, clientScope, deps.scopeStrategy));
  const scope = parseScope(requested);
  const beyondSubject = firstDisallowedScope(scope, subject.scope, deps.scopeStrategy);
  if (beyondSubject !== undefined) throw invalidScope(`The scope "${beyondSubject}" is not in the subject_token's scope: token exchange only narrows.`);
  const beyondClient = firstDisallowedScope(scope, clientScope, deps.scopeStrategy);
  if (beyondClient !== undefined) throw invalidScope(`The client may not request the scope "${beyondClient}".`);
  return scope;
}

/** `audience` (space-separated, Hydra's way) and `resource` (RFC 8707 §2: absolute URIs without a fragment), each allowed for the client. */
function targets(request: TokenRequest, client: Client): string[] {
  // Repeated `resource` parameters arrive joined by a space; parseResources reads them back (oauth2/resource.ts).
  const resources = parseResources(request.resource);
  const audience = [...new Set([...parseScope(request.audience), ...resources])];
  const bad = firstDisallowedAudience(audience, client.audience);
  if (bad !== undefined) throw invalidTarget(`The client may not request a token for "${bad}" (RFC 8693 §2.2.2).`);
  return audience;
}

/**
 * A DPoP-bound token (RFC 9449) is only worth something with its key, here
 * as at userinfo: without a proof by that key, exchanging a stolen bound
 * token would yield a token without the binding. The proof also binds the
 * exchanged token (mintAccessToken), so the binding carries over.
 */
function provesBinding(presented: PresentedToken, role: Role, deps: GrantDeps): void {
  if (presented.jkt !== undefined && presented.jkt !== deps.dpopJkt) {
    throw refused(role, 'it is bound to a DPoP key (RFC 9449) and the request carries no proof by that key');
  }
}

/** RFC 8693 §4.4: `may_act` names the one party that may act for the subject. */
function checkMayAct(subject: PresentedToken, actor: PresentedToken, deps: GrantDeps): void {
  const may = subject.mayAct;
  if (!may) return;
  const actorIssuer = actor.issuer ?? deps.issuer;
  if (may['sub'] !== actor.subject || (typeof may['iss'] === 'string' && may['iss'] !== actorIssuer)) {
    throw refused('actor_token', "its subject is not the one the subject_token's may_act allows");
  }
}

/** RFC 8693 §4.1: the current actor outermost, earlier ones nested. */
function actClaim(actor: PresentedToken, prior: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  return { sub: actor.subject, ...(actor.issuer !== undefined ? { iss: actor.issuer } : {}), ...(prior ? { act: prior } : {}) };
}

function checkedParameters(request: TokenRequest): { subjectToken: string; subjectType: string } {
  if (!request.subject_token) throw invalidRequest('The "subject_token" parameter is missing (RFC 8693 §2.1).');
  if (!request.subject_token_type) throw invalidRequest('The "subject_token_type" parameter is missing (RFC 8693 §2.1).');
  // §2.1: actor_token_type is required with actor_token and must not be sent without it.
  if (Boolean(request.actor_token) !== Boolean(request.actor_token_type)) throw invalidRequest('"actor_token" and "actor_token_type" go together (RFC 8693 §2.1).');
  return { subjectToken: request.subject_token, subjectType: request.subject_token_type };
}

export async function tokenExchangeGrant(request: TokenRequest, client: Client, deps: GrantDeps): Promise<TokenResponse> {
  if (isPublicClient(client)) throw unauthorizedClient('Public clients may not use token exchange.');
  if (!client.grant_types.includes(TOKEN_EXCHANGE_GRANT)) throw unauthorizedClient(`The client is not allowed to use the grant "${TOKEN_EXCHANGE_GRANT}".`);
  if (!deps.tokenExchange) throw unauthorizedClient('Token exchange is not available.');
  const { subjectToken, subjectType } = checkedParameters(request);
  const issuedType = issuedTokenType(request.requested_token_type, client, deps);

  const subject = await readPresentedToken(subjectToken, subjectType, client, deps, 'subject_token');
  const actor = request.actor_token && request.actor_token_type ? await readPresentedToken(request.actor_token, request.actor_token_type, client, deps, 'actor_token') : undefined;
  provesBinding(subject, 'subject_token', deps);
  if (actor) {
    provesBinding(actor, 'actor_token', deps);
    checkMayAct(subject, actor, deps);
  } else if (client.allow_token_exchange_impersonation !== true) {
    throw invalidRequest('Without an actor_token the exchange is impersonation, which this client is not allowed (allow_token_exchange_impersonation).');
  }
  const scope = narrowedScope(request.scope, subject, client, deps);
  const audience = targets(request, client);

  const now = deps.clock.now();
  const ttl = Math.max(0, Math.min(deps.ttl.accessToken, subject.expiresAt - now, (actor?.expiresAt ?? Infinity) - now));
  const act = actor ? actClaim(actor, subject.act) : subject.act;
  const session: TokenSession = withVisibleSubject({ ...subject.session, ...(act ? { act } : {}) }, client, subject.subject, deps.pairwiseSalt);
  const { token, record } = await mintAccessToken({ client, familyId: timeOrderedId(now), subject: subject.subject, scope, audience, session, now, ttl }, deps);
  await deps.tokens.insert([record]);
  return { access_token: token, issued_token_type: issuedType, token_type: 'bearer', expires_in: Math.floor(ttl / 1000), scope: scope.join(' ') };
}
