import type { TokenRequest, TokenResponse } from '@tessera/sdk';
import type { Client } from '../../../clients/client.js';
import { accessDenied, authorizationPending, expiredToken, invalidGrant, invalidRequest, slowDown, unauthorizedClient } from '../../../errors/catalog.js';
import { DEVICE_CODE_GRANT } from '../../device/model.js';
import type { GrantDeps } from '../deps.js';
import { issueTokens } from '../issue.js';
import { narrowedAudience } from '../../resource.js';

/**
 * RFC 8628 §3.4–3.5: the device polls with its device code. In order:
 * unknown or foreign code → invalid_grant; too fast → slow_down (and the
 * interval grows by 5 s); expired → expired_token; the login or consent
 * was rejected → access_denied; not yet approved → authorization_pending.
 * Approval is the `device_code` token row the consent wrote (with its
 * consent record); exchanging it is TokenStore.consume, so of two polls
 * racing on two processes exactly one gets tokens. Unlike a replayed
 * authorization code, a second poll does not revoke what the first got:
 * devices legitimately overlap polls, and the code never crossed a browser.
 */
export async function deviceCodeGrant(request: TokenRequest, client: Client, deps: GrantDeps): Promise<TokenResponse> {
  if (!client.grant_types.includes(DEVICE_CODE_GRANT)) {
    throw unauthorizedClient(`The client is not allowed to use the grant type "${DEVICE_CODE_GRANT}".`);
  }
  if (!request.device_code) throw invalidRequest('The device_code parameter is missing.');
  const signature = deps.strategy.verify('device_code', request.device_code);
  const device = signature === undefined ? undefined : await deps.devices.byDeviceCode(signature);
  if (!signature || !device || device.clientId !== client.client_id) {
    throw invalidGrant('The device_code is invalid or was issued to another client.');
  }
  const now = deps.clock.now();
  if (!(await deps.devices.poll(device.id, now))) {
    throw slowDown(`Poll at most every ${device.interval} seconds; wait ${device.interval + 5} seconds from now on (RFC 8628 §3.5).`);
  }
  if (device.expiresAt <= now) throw expiredToken();
  if (device.state === 'denied') throw accessDenied(device.rejection?.description);
  const grant = await deps.tokens.get(signature);
  if (!grant || grant.kind !== 'device_code') throw authorizationPending();
  if (grant.usedAt !== null || grant.revoked) throw invalidGrant('The device_code has already been used or its grant was revoked.');

  const { response, records } = await issueTokens(
    {
      grant: 'device_authorization',
      client,
      familyId: grant.familyId,
      subject: grant.subject,
      scope: grant.scope,
      refreshScope: grant.scope,
      // RFC 8707 §2.2: `resource` narrows this access token; the refresh token keeps the grant.
      audience: narrowedAudience(request.resource, grant.audience, client.audience),
      refreshAudience: grant.audience,
      session: grant.session,
    },
    deps,
    now,
  );
  if (!(await deps.tokens.consume(signature, now, records))) throw invalidGrant('The device_code has already been used.');
  return response;
}
