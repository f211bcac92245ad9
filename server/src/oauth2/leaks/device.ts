import type { DeviceStore, TokenStore } from '../../storage/ports.js';
import type { LeakReport } from '../../tokens/leaks/report.js';

/*
 * A reported `ory_dc_` device code that no token row answers for yet: the
 * device authorization request is still pending (no user code entered) or
 * claimed (the user is logging in). Whoever holds the code could poll and
 * collect the tokens the moment the user approves, so the request is denied
 * (RFC 8628 §3.5: the device then gets `access_denied`), one conditional
 * UPDATE. Approval may have written the grant meanwhile: it is revoked too.
 * Once approved, the device code is a token row like any other and
 * process.ts revokes its family.
 */

export type Judged = Pick<LeakReport, 'outcome' | 'clientId' | 'subject' | 'familyId' | 'revokedCount'>;

export interface DeviceLeakDeps {
  readonly tokens: Pick<TokenStore, 'get' | 'revokeFamily'>;
  readonly devices: Pick<DeviceStore, 'byDeviceCode' | 'revoke'>;
}

const LEAKED = { error: 'access_denied', description: 'The device code was reported leaked and revoked.', statusCode: 403 } as const;

/** undefined when no device request has this code either (the caller says not_ours). */
export async function judgeDeviceRequest(key: string, deps: DeviceLeakDeps, now: number): Promise<Judged | undefined> {
  const request = await deps.devices.byDeviceCode(key);
  if (!request) return undefined;
  const owner = { clientId: request.clientId, subject: null, familyId: request.id };
  if (request.state === 'denied' || request.expiresAt <= now) return { outcome: 'already_inactive', ...owner, revokedCount: 0 };
  const denied = await deps.devices.revoke(request.id, LEAKED);
  const late = await deps.tokens.get(key);
  const revokedCount = late ? await deps.tokens.revokeFamily(late.familyId) : 0;
  return { outcome: denied || revokedCount > 0 ? 'revoked' : 'already_inactive', ...owner, revokedCount: revokedCount + (denied ? 1 : 0) };
}
