import type { TokenRequest, TokenResponse } from '@tessera/sdk';
import type { Client } from '../../../clients/client.js';
import { invalidScope, unauthorizedClient } from '../../../errors/catalog.js';
import { isPublicClient } from '../../../clients/client.js';
import { lifespan } from '../../../tokens/lifespans.js';
import { timeOrderedId } from '../../../lib/crypto.js';
import { firstDisallowedScope, parseScope } from '../../scope.js';
import { requestedAudience } from '../../resource.js';
import type { GrantDeps } from '../deps.js';
import { mintAccessToken } from '../access-token.js';

/**
 * RFC 6749 §4.4. The client acts for itself: `sub` is its id, there is no
 * refresh token (§4.4.3), and only a confidential client may use it.
 */
export async function clientCredentialsGrant(request: TokenRequest, client: Client, deps: GrantDeps): Promise<TokenResponse> {
  if (isPublicClient(client)) throw unauthorizedClient('Public clients may not use the client_credentials grant.');
  if (!client.grant_types.includes('client_credentials')) {
    throw unauthorizedClient('The client is not allowed to use the client_credentials grant.');
  }
  const scope = parseScope(request.scope);
  const badScope = firstDisallowedScope(scope, parseScope(client.scope), deps.scopeStrategy);
  if (badScope !== undefined) throw invalidScope(`The client may not request the scope "${badScope}".`);
  // Hydra's `audience` and RFC 8707's `resource` together (oauth2/resource.ts).
  const audience = requestedAudience(request, client.audience);

  const now = deps.clock.now();
  const ttl = lifespan(client, 'client_credentials_grant_access_token_lifespan', deps.ttl.accessToken);
  const { token, record } = await mintAccessToken(
    { client, familyId: timeOrderedId(now), subject: client.client_id, scope, audience, session: {}, now, ttl },
    deps,
  );
  await deps.tokens.insert([record]);
  return { access_token: token, token_type: 'bearer', expires_in: Math.floor(ttl / 1000), scope: scope.join(' ') };
}
