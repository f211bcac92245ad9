import { OAuth2Error } from '../../errors/oauth2-error.js';
import { redirect, type HandlerResult } from '../../lib/result.js';
import { withParams } from '../../oauth2/authorize/redirect.js';
import type { BrowserCookies } from '../browser.js';
import type { DeviceFlowDeps } from './deps.js';
import { continueAfterDeviceVerifier, startDeviceVerification } from './start.js';
import { continueDeviceConsent, continueDeviceLogin } from './continue.js';

/**
 * GET /oauth2/device/verify (Hydra's performOAuth2DeviceVerificationFlow):
 * a new device challenge, or the browser coming back with a device, login
 * or consent verifier. There is no client redirect to send errors to: they
 * go to `urls.error` when configured, else the error page shows them.
 */
export async function deviceVerify(params: Record<string, string>, cookies: BrowserCookies, peer: string | undefined, deps: DeviceFlowDeps): Promise<HandlerResult> {
  try {
    if (params['device_verifier'] !== undefined) return await continueAfterDeviceVerifier(params, cookies, deps);
    if (params['login_verifier'] !== undefined) return await continueDeviceLogin(params, cookies, deps);
    if (params['consent_verifier'] !== undefined) return await continueDeviceConsent(params, cookies, deps);
    return await startDeviceVerification(params, cookies, peer, deps);
  } catch (err) {
    const errorUrl = deps.deviceUrls.error;
    if (!(err instanceof OAuth2Error) || err.status >= 500 || !errorUrl) throw err;
    return redirect(withParams(errorUrl, { error: err.error, error_description: err.description, error_hint: err.hint }));
  }
}
