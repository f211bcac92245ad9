import type { Rejection } from '../../flows/flow.js';

/** RFC 8628 §3.4: `urn:ietf:params:oauth:grant-type:device_code`, as clients register and send it. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * One device authorization request (RFC 8628 §3.1), from POST
 * /oauth2/device/auth until it expires. Approval is not a state here: it is
 * the `device_code` token row written with the consent (flows/device/), so
 * the grant is reached by revocation like any other.
 *
 * ```mermaid
 * stateDiagram-v2
 *   [*] --> pending: POST /oauth2/device/auth
 *   pending --> claimed: PUT device/accept with its user code (once)
 *   claimed --> denied: login or consent rejected
 * ```
 */
export type DeviceRequestState = 'pending' | 'claimed' | 'denied';

export interface DeviceRequest {
  /** Also the flow id, the consent request id and the token family id. */
  readonly id: string;
  readonly clientId: string;
  /** The device code's lookup key (tokens/hmac.ts), never the code. */
  readonly deviceCode: string;
  /** The user code's HMAC (user-code.ts), never the code. */
  readonly userCode: string;
  readonly state: DeviceRequestState;
  readonly scope: readonly string[];
  readonly audience: readonly string[];
  readonly rejection?: Rejection | undefined;
  /** Seconds the device must wait between polls (RFC 8628 §3.2, §3.5). */
  readonly interval: number;
  readonly lastPolledAt: number | null;
  readonly requestedAt: number;
  readonly expiresAt: number;
}
