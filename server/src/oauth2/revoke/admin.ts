import type { DeleteOAuth2TokensQuery } from '@tessera/sdk';
import { empty, type HandlerResult } from '../../lib/result.js';
import type { TokenStore } from '../../storage/ports.js';

export interface DeleteTokensDeps {
  readonly tokens: Pick<TokenStore, 'deleteAccessTokens'>;
}

/**
 * `DELETE /admin/oauth2/tokens?client_id=`, as Hydra's `deleteOAuth2Token`
 * (oauth2/handler.go, persister `DeleteAccessTokens`): the client's access
 * tokens are deleted from the database, nothing else. Its refresh tokens,
 * codes and consents stay, so a refresh token still gets a new access token
 * (revoke the consent or the refresh token to end the grant). 204 whether or
 * not the client or any token exists; a missing `client_id` is refused by
 * the contract schema with Hydra's 400 `invalid_request`.
 */
export async function deleteAccessTokens(query: DeleteOAuth2TokensQuery, deps: DeleteTokensDeps): Promise<HandlerResult> {
  await deps.tokens.deleteAccessTokens(query.client_id);
  return empty(204);
}
