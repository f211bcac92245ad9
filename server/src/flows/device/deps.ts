import type { Logger } from 'pino';
import type { DeviceStore } from '../../storage/ports.js';
import type { UserCodes } from '../../oauth2/device/user-code.js';
import type { FlowDeps } from '../deps.js';

/** What the device flow adds to the login/consent flow (RFC 8628 §3.3). */
export interface DeviceFlowDeps extends FlowDeps {
  readonly devices: DeviceStore;
  readonly userCodes: Pick<UserCodes, 'candidates'>;
  /** Where the public endpoints are reached, for `…/oauth2/device/verify` URLs. */
  readonly publicBase: string;
  readonly deviceUrls: {
    /** urls.device.verification: the login app's code page. */
    readonly verification?: string | undefined;
    /** urls.device.success: where the browser ends after approving. */
    readonly success?: string | undefined;
    /** urls.error: where errors the browser cannot be sent on with are shown. */
    readonly error?: string | undefined;
  };
  /** oauth2.device_authorization.user_code_throttle (window in ms). */
  readonly throttle: { readonly perChallenge: number; readonly perNetwork: number; readonly window: number };
  /** Wrong user codes are logged (never the code itself). */
  readonly logger: Pick<Logger, 'warn'>;
}

/** The public path every device step returns to (Hydra's `/oauth2/device/verify`). */
export const verifyUrl = (deps: Pick<DeviceFlowDeps, 'publicBase'>): string => `${deps.publicBase}/oauth2/device/verify`;
