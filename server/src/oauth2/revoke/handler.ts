import type { RevocationRequest } from '@tessera/sdk';
import { unauthorizedClient } from '../../errors/catalog.js';
import { empty, type HandlerResult } from '../../lib/result.js';
import type { TokenStore } from '../../storage/ports.js';
import type { TokenStrategy } from '../../tokens/hmac.js';
import { authenticateClient, type ClientAuthDeps } from '../client-auth.js';

export interface RevokeDeps extends ClientAuthDeps {
  readonly tokens: Pick<TokenStore, 'get' | 'revoke' | 'revokeFamily'>;
  readonly strategy: TokenStrategy;
}

/**
 * RFC 7009. The client authenticates and may revoke only its own tokens
 * (§2.1). Revoking a refresh token revokes its whole family, access tokens
 * included (§2.1: "SHOULD also invalidate all access tokens based on the same
 * authorization grant"); revoking an access token revokes just that token.
 * Unknown, forged or already revoked tokens answer 200 all the same (§2.2).
 */
export async function revoke(request: RevocationRequest, authorization: string | undefined, deps: RevokeDeps, peer?: string): Promise<HandlerResult> {
  const client = await authenticateClient({ authorization, form: request, peer }, deps);
  const ok = empty(200);
  const found = deps.strategy.classify(request.token);
  if (!found || found.kind === 'authorization_code' || found.kind === 'device_code') return ok;
  const record = await deps.tokens.get(found.signature);
  if (!record) return ok;
  if (record.clientId !== client.client_id) throw unauthorizedClient('The token was issued to another client.');
  if (found.kind === 'refresh_token') await deps.tokens.revokeFamily(record.familyId);
  else await deps.tokens.revoke(found.signature);
  return ok;
}
