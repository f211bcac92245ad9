import type { TokenRequest, TokenResponse } from '@tessera/sdk';
import type { Client } from '../../../clients/client.js';
import { invalidGrant, invalidRequest, invalidScope, unauthorizedClient } from '../../../errors/catalog.js';
import { firstDisallowedScope, parseScope } from '../../scope.js';
import type { GrantDeps } from '../deps.js';
import { issueTokens } from '../issue.js';
import { narrowedAudience } from '../../resource.js';
import { assertRefreshBinding } from '../../dpop/index.js';

/**
 * RFC 6749 §6 with rotation and reuse detection (RFC 9700 §4.14.2): every
 * use returns a new refresh token and retires the old one with the family's
 * earlier access tokens. A retired refresh token presented again revokes the
 * whole family. Of requests racing with one token, the conditional UPDATE
 * lets exactly one win; every other one is a second use of the token and is
 * treated as reuse, so the family is revoked, the winner's pair included.
 * The server cannot tell a client racing itself from a thief racing the
 * client (a loser may read the row before or after the winner commits), and
 * a window in which second uses are forgiven is exactly the window in which
 * a stolen token goes unnoticed. Clients serialise their refreshes.
 */
export async function refreshTokenGrant(request: TokenRequest, client: Client, deps: GrantDeps): Promise<TokenResponse> {
  if (!client.grant_types.includes('refresh_token')) {
    throw unauthorizedClient('The client is not allowed to use the refresh_token grant.');
  }
  if (!request.refresh_token) throw invalidRequest('The refresh_token parameter is missing.');
  const signature = deps.strategy.verify('refresh_token', request.refresh_token);
  const record = signature === undefined ? undefined : await deps.tokens.get(signature);
  if (!signature || !record || record.kind !== 'refresh_token' || record.clientId !== client.client_id) {
    throw invalidGrant('The refresh token is invalid or was issued to another client.');
  }
  // Before reuse detection: without the key, a stolen bound token cannot even revoke its family (RFC 9449 §5).
  assertRefreshBinding(record.session.jkt, deps.dpopJkt);
  if (record.revoked) throw invalidGrant('The refresh token has been revoked.');
  const reused = async () => {
    await deps.tokens.revokeFamily(record.familyId);
    return invalidGrant('The refresh token has already been used; every token of its grant is now revoked.');
  };
  if (record.usedAt !== null) throw await reused();
  const now = deps.clock.now();
  if (record.expiresAt <= now) throw invalidGrant('The refresh token has expired.');

  const requested = parseScope(request.scope);
  const scope = requested.length > 0 ? requested : [...record.scope];
  const notGranted = scope.find((s) => !record.scope.includes(s));
  if (notGranted !== undefined) throw invalidScope(`The scope "${notGranted}" was not granted to this refresh token.`);
  const noLonger = firstDisallowedScope(scope, parseScope(client.scope), deps.scopeStrategy);
  if (noLonger !== undefined) throw invalidScope(`The client may no longer request the scope "${noLonger}".`);

  const { response, records } = await issueTokens(
    {
      grant: 'refresh_token',
      client,
      familyId: record.familyId,
      subject: record.subject,
      scope,
      refreshScope: record.scope,
      // RFC 8707 §2.2: `resource` narrows this access token; the refresh token keeps the grant.
      audience: narrowedAudience(request.resource, record.audience, client.audience),
      refreshAudience: record.audience,
      session: record.session,
    },
    deps,
    now,
  );
  if (!(await deps.tokens.consume(signature, now, records, { revokeFamilyAccessTokens: true }))) throw await reused();
  return response;
}
