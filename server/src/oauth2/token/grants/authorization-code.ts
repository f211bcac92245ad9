import type { TokenRequest, TokenResponse } from '@tessera/sdk';
import type { Client } from '../../../clients/client.js';
import { invalidGrant, invalidRequest, unauthorizedClient } from '../../../errors/catalog.js';
import { verifierMatches } from '../../authorize/checks/pkce.js';
import type { GrantDeps } from '../deps.js';
import { issueTokens } from '../issue.js';
import { narrowedAudience } from '../../resource.js';
import { assertCodeBinding } from '../../dpop/index.js';

/**
 * RFC 6749 §4.1.3 with RFC 7636 and RFC 9700 §4.5/§4.8: the code is bound to
 * client, redirect_uri and PKCE challenge, and is single-use. A code that
 * comes back after its exchange (or loses a race for it) revokes everything
 * issued from it (RFC 6749 §4.1.2).
 */
export async function authorizationCodeGrant(request: TokenRequest, client: Client, deps: GrantDeps): Promise<TokenResponse> {
  if (!client.grant_types.includes('authorization_code')) {
    throw unauthorizedClient('The client is not allowed to use the authorization_code grant.');
  }
  if (!request.code) throw invalidRequest('The code parameter is missing.');
  const signature = deps.strategy.verify('authorization_code', request.code);
  const record = signature === undefined ? undefined : await deps.tokens.get(signature);
  if (!signature || !record || record.kind !== 'authorization_code' || record.clientId !== client.client_id) {
    throw invalidGrant('The authorization code is invalid or was issued to another client.');
  }
  // RFC 9449 §10; before reuse detection, so a code stolen without its key cannot revoke what it issued.
  assertCodeBinding(record.session.code?.dpopJkt, deps.dpopJkt);
  const now = deps.clock.now();
  const reused = async () => {
    await deps.tokens.revokeFamily(record.familyId);
    return invalidGrant('The authorization code has already been used; the tokens issued with it are revoked.');
  };
  if (record.usedAt !== null || record.revoked) throw await reused();
  if (record.expiresAt <= now) throw invalidGrant('The authorization code has expired.');

  const binding = record.session.code;
  if (!binding) throw invalidGrant('The authorization code is malformed.');
  if ((binding.redirectUriSent || request.redirect_uri !== undefined) && request.redirect_uri !== binding.redirectUri) {
    throw invalidGrant('The redirect_uri does not match the one of the authorization request.');
  }
  if (binding.codeChallenge !== undefined) {
    if (!request.code_verifier) throw invalidGrant('The code_verifier is missing (PKCE, RFC 7636 §4.5).');
    if (!verifierMatches(request.code_verifier, binding.codeChallenge, binding.codeChallengeMethod ?? 'plain')) {
      throw invalidGrant('The code_verifier does not match the code_challenge.');
    }
  } else if (request.code_verifier !== undefined) {
    // RFC 9700 §4.8.2: a verifier without a challenge is a downgrade attempt.
    throw invalidGrant('A code_verifier was sent but the authorization request had no code_challenge.');
  }

  const { code: _binding, ...session } = record.session;
  const { response, records } = await issueTokens(
    {
      grant: 'authorization_code',
      client,
      familyId: record.familyId,
      subject: record.subject,
      scope: record.scope,
      refreshScope: record.scope,
      // RFC 8707 §2.2: `resource` narrows this access token; the refresh token keeps the grant.
      audience: narrowedAudience(request.resource, record.audience, client.audience),
      refreshAudience: record.audience,
      session,
      nonce: binding.nonce,
    },
    deps,
    now,
  );
  if (!(await deps.tokens.consume(signature, now, records))) throw await reused();
  return response;
}
