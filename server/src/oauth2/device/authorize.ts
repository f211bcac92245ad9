import type { DeviceAuthorization, DeviceAuthorizationRequest } from '@tessera/sdk';
import { invalidScope, serverError, unauthorizedClient } from '../../errors/catalog.js';
import { timeOrderedId } from '../../lib/crypto.js';
import type { Clock } from '../../lib/clock.js';
import type { HandlerResult } from '../../lib/result.js';
import type { DeviceStore } from '../../storage/ports.js';
import type { TokenStrategy } from '../../tokens/hmac.js';
import { authenticateClient, type ClientAuthDeps } from '../client-auth.js';
import { withParams } from '../authorize/redirect.js';
import { firstDisallowedScope, parseScope, type ScopeStrategy } from '../scope.js';
import { requestedAudience } from '../resource.js';
import { DEVICE_CODE_GRANT } from './model.js';
import type { UserCodes } from './user-code.js';

export interface DeviceAuthorizationDeps extends ClientAuthDeps {
  readonly devices: Pick<DeviceStore, 'create'>;
  readonly strategy: Pick<TokenStrategy, 'mint'>;
  readonly userCodes: Pick<UserCodes, 'mint'>;
  readonly clock: Clock;
  readonly scopeStrategy: ScopeStrategy;
  /** `urls.device.verification`: RFC 8628 `verification_uri`, as Hydra sends it. */
  readonly verificationUri: string | undefined;
  /** ttl.device_user_code, ms. */
  readonly ttl: number;
  /** oauth2.device_authorization.token_polling_interval, ms. */
  readonly interval: number;
}

/** Hydra's MaxAttempts: a taken user code is re-drawn; three collisions in a row mean the space is exhausted. */
const MINT_ATTEMPTS = 3;

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/**
 * POST /oauth2/device/auth (RFC 8628 §3.1–3.2). The client authenticates as
 * at the token endpoint (a public client just names itself) and must be
 * registered for the device grant; scope, audience and resource are checked as at
 * /oauth2/auth. The answer carries the device code (an `ory_dc_` HMAC token,
 * stored by signature only) and a user code (stored as an HMAC).
 */
export async function deviceAuthorization(
  request: DeviceAuthorizationRequest,
  authorization: string | undefined,
  deps: DeviceAuthorizationDeps,
  peer?: string,
): Promise<HandlerResult> {
  const client = await authenticateClient({ authorization, form: request, peer }, deps);
  if (!client.grant_types.includes(DEVICE_CODE_GRANT)) {
    throw unauthorizedClient(`The client is not allowed to use the grant type "${DEVICE_CODE_GRANT}".`);
  }
  const scope = parseScope(request.scope);
  const badScope = firstDisallowedScope(scope, parseScope(client.scope), deps.scopeStrategy);
  if (badScope !== undefined) throw invalidScope(`The client may not request the scope "${badScope}".`);
  // `audience` and RFC 8707's `resource` together, as at /oauth2/auth.
  const audience = requestedAudience(request, client.audience);
  if (!deps.verificationUri) throw serverError('urls.device.verification is not configured.');

  const now = deps.clock.now();
  const deviceCode = deps.strategy.mint('device_code');
  const interval = Math.ceil(deps.interval / 1000);
  for (let attempt = 0; attempt < MINT_ATTEMPTS; attempt++) {
    const userCode = deps.userCodes.mint();
    const created = await deps.devices.create({
      id: timeOrderedId(now),
      clientId: client.client_id,
      deviceCode: deviceCode.signature,
      userCode: userCode.hash,
      state: 'pending',
      scope,
      audience,
      interval,
      lastPolledAt: null,
      requestedAt: now,
      expiresAt: now + deps.ttl,
    });
    if (!created) continue;
    const body: DeviceAuthorization = {
      device_code: deviceCode.token,
      user_code: userCode.display,
      verification_uri: deps.verificationUri,
      verification_uri_complete: withParams(deps.verificationUri, { user_code: userCode.display }),
      expires_in: Math.floor(deps.ttl / 1000),
      interval,
    };
    return { kind: 'json', status: 200, body, headers: NO_STORE };
  }
  throw serverError().withDebug(`no free user code after ${MINT_ATTEMPTS} attempts`);
}
