import { accessDenied, invalidRequest, requestForbidden } from '../errors/catalog.js';
import { RedirectableError, targetOf, type RedirectTarget } from '../oauth2/authorize/redirect.js';
import type { FlowState } from './flow.js';
import type { FlowDeps } from './deps.js';
import type { FlowLookup, StoredFlow } from '../storage/ports.js';
import { sameBrowser, type BrowserCookies } from './browser.js';
import { hashSecret } from './secrets.js';
import { urlProblem } from '../lib/url.js';

/**
 * The flow a verifier belongs to, once it is shown to be usable here: in the
 * expected state, not expired, in the browser that started it, for the
 * client named. Once the flow is known its redirect URI is trusted, so
 * failures go back to the client.
 */
export async function flowForVerifier(
  deps: Pick<FlowDeps, 'flows' | 'clock'>,
  by: Extract<FlowLookup, 'login_verifier' | 'consent_verifier'>,
  params: Record<string, string>,
  cookies: BrowserCookies,
  state: FlowState,
): Promise<{ stored: StoredFlow; target: RedirectTarget }> {
  const stored = await deps.flows.find(by, hashSecret(params[by] ?? ''));
  if (!stored) throw invalidRequest(`The ${by} is not valid.`);
  const { flow } = stored;
  // A device flow (RFC 8628) has no redirect_uri: it continues at /oauth2/device/verify only.
  if (flow.device) throw invalidRequest(`The ${by} belongs to a device flow; it is used at /oauth2/device/verify.`);
  // Checked when the flow began; a row from before lib/url.ts's rules may hold one no response can be sent to.
  const problem = urlProblem(flow.request.redirectUri);
  if (problem !== undefined) throw invalidRequest(`The redirect_uri of this request cannot be used: it ${problem}.`);
  const target = targetOf(flow.request);
  const fail = (err: ReturnType<typeof invalidRequest>) => new RedirectableError(err, target);
  if (flow.state !== state) throw fail(accessDenied(`The ${by} has already been used.`));
  if (flow.expiresAt <= deps.clock.now()) throw fail(invalidRequest('The authorization request has expired; start again.'));
  if (!sameBrowser(stored, cookies)) throw fail(requestForbidden(`The ${by} was presented by another browser than the one that started the flow.`));
  if (params['client_id'] !== flow.clientId) throw fail(invalidRequest('client_id does not match the flow.'));
  return { stored, target };
}
