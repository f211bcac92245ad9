import type { HandlerResult } from '../../lib/result.js';
import type { BrowserCookies } from '../browser.js';
import type { LogoutDeps } from './deps.js';
import { startLogout } from './start.js';
import { finishLogout } from './finish.js';

/** GET/POST /oauth2/sessions/logout: a new logout request, or the browser back from the logout app. */
export function endSession(params: Record<string, string>, cookies: BrowserCookies, deps: LogoutDeps): Promise<HandlerResult> {
  const verifier = params['logout_verifier'];
  return verifier !== undefined ? finishLogout(verifier, cookies, deps) : startLogout(params, cookies, deps);
}
