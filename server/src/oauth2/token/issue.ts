import type { TokenResponse } from '@tessera/sdk';
import { isPublicClient, type Client } from '../../clients/client.js';
import { lifespan } from '../../tokens/lifespans.js';
import { withBinding, type TokenRecord, type TokenSession } from '../../tokens/token.js';
import { idTokenClaims, seconds } from '../../tokens/id-token.js';
import { subjectForClient } from '../../tokens/subject.js';
import { serverError } from '../../errors/catalog.js';
import type { GrantDeps } from './deps.js';
import { mintAccessToken } from './access-token.js';

export interface Issuance {
  /** Names the client's `<grant>_grant_*_lifespan` overrides; `device_authorization` is RFC 8628's device_code grant. */
  readonly grant: 'authorization_code' | 'refresh_token' | 'device_authorization';
  readonly client: Client;
  readonly familyId: string;
  readonly subject: string;
  /** Scope of the access (and ID) token. */
  readonly scope: readonly string[];
  /** Scope the new refresh token keeps (RFC 6749 §6: narrowing applies to the access token). */
  readonly refreshScope: readonly string[];
  /** Audience of the access token. */
  readonly audience: readonly string[];
  /** Audience the new refresh token keeps (RFC 8707 §2.2: a `resource` narrows the access token only); default `audience`. */
  readonly refreshAudience?: readonly string[] | undefined;
  readonly session: TokenSession;
  readonly nonce?: string | undefined;
}


/**
 * Mints the access token, the refresh token (only with `offline_access` or
 * `offline` and the client's refresh_token grant) and the ID token (only with
 * `openid`), returning the response and the rows to store with it.
 */
export async function issueTokens(issuance: Issuance, deps: GrantDeps, now: number): Promise<{ response: TokenResponse; records: TokenRecord[] }> {
  const { client, grant, scope } = issuance;
  const accessTtl = lifespan(client, `${grant}_grant_access_token_lifespan`, deps.ttl.accessToken);
  const session = withVisibleSubject(issuance.session, client, issuance.subject, deps.pairwiseSalt);
  const base = { familyId: issuance.familyId, clientId: client.client_id, subject: issuance.subject, audience: issuance.audience, session, issuedAt: now, usedAt: null, revoked: false };
  const access = await mintAccessToken({ client, familyId: issuance.familyId, subject: issuance.subject, scope, audience: issuance.audience, session, now, ttl: accessTtl }, deps);
  const records: TokenRecord[] = [access.record];
  const response: TokenResponse = { access_token: access.token, token_type: 'bearer', expires_in: seconds(accessTtl), scope: scope.join(' ') };

  const offline = issuance.refreshScope.includes('offline_access') || issuance.refreshScope.includes('offline');
  if (offline && client.grant_types.includes('refresh_token')) {
    const refreshTtl = lifespan(client, `${grant}_grant_refresh_token_lifespan`, deps.ttl.refreshToken);
    const refresh = deps.strategy.mint('refresh_token');
    // RFC 9449 §5: a public client's refresh token is bound to the request's DPoP key; a confidential client's is not.
    const refreshSession = withBinding(session, isPublicClient(client) ? deps.dpopJkt : undefined);
    records.push({ ...base, session: refreshSession, signature: refresh.signature, kind: 'refresh_token', scope: issuance.refreshScope, audience: issuance.refreshAudience ?? issuance.audience, expiresAt: now + refreshTtl });
    response.refresh_token = refresh.token;
  }

  if (scope.includes('openid')) {
    const idTtl = lifespan(client, `${grant}_grant_id_token_lifespan`, deps.ttl.idToken);
    // OIDC Core §8.1: a pairwise client's ID tokens carry its pairwise subject.
    const claims = idTokenClaims({ issuer: deps.issuer, clientId: client.client_id, subject: session.obfuscatedSubject ?? issuance.subject, session, nonce: issuance.nonce }, now, idTtl);
    response.id_token = await deps.signer.sign(claims, { alg: client.id_token_signed_response_alg, accessToken: access.token });
  }
  return { response, records };
}

/** The session with the pairwise subject the client sees (OIDC Core §8.1), when it differs from the local one. */
export function withVisibleSubject(session: TokenSession, client: Client, subject: string, salt: string | undefined): TokenSession {
  const { obfuscatedSubject: _previous, ...rest } = session;
  const visible = subjectForClient(client, subject, session.forcedSubject, salt);
  if (visible === undefined) {
    throw serverError().withDebug(`pairwise client ${client.client_id} has no sector host, or oidc.subject_identifiers.pairwise.salt is not set`);
  }
  return visible === subject ? rest : { ...rest, obfuscatedSubject: visible };
}
