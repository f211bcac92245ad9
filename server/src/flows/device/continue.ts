import { accessDenied, invalidRequest, requestForbidden, serverError } from '../../errors/catalog.js';
import { OAuth2Error } from '../../errors/oauth2-error.js';
import { redirect, type HandlerResult } from '../../lib/result.js';
import { withParams } from '../../oauth2/authorize/redirect.js';
import type { StoredFlow } from '../../storage/ports.js';
import type { TokenRecord } from '../../tokens/token.js';
import { sameBrowser, type BrowserCookies } from '../browser.js';
import type { Flow, FlowState, Rejection } from '../flow.js';
import { recordForcedSubject, rememberLogin } from '../login/continue.js';
import { consentRecord, grantSession } from '../consent/record.js';
import { hashSecret, mintSecret } from '../secrets.js';
import type { DeviceFlowDeps } from './deps.js';

/*
 * The browser back from the login app or the consent app in a device flow
 * (`/oauth2/device/verify?login_verifier=` / `?consent_verifier=`): the same
 * steps as /oauth2/auth's (flows/login/continue.ts, consent/continue.ts),
 * except that there is no redirect_uri. Errors are shown to the user, a
 * rejection is recorded for the polling device (access_denied), and the end
 * is the `device_code` grant plus its consent record, in one transaction.
 */

async function deviceFlowFor(
  deps: DeviceFlowDeps,
  by: 'login_verifier' | 'consent_verifier',
  params: Record<string, string>,
  cookies: BrowserCookies,
  state: FlowState,
): Promise<StoredFlow> {
  const stored = await deps.flows.find(by, hashSecret(params[by] ?? ''));
  if (!stored || !stored.flow.device) throw invalidRequest(`The ${by} is not valid.`);
  const { flow } = stored;
  if (flow.state !== state) throw accessDenied(`The ${by} has already been used.`);
  if (flow.expiresAt <= deps.clock.now()) throw invalidRequest('The device request has expired; start again on the device.');
  if (!sameBrowser(stored, cookies)) throw requestForbidden(`The ${by} was presented by another browser than the one that started the flow.`);
  if (params['client_id'] !== undefined && params['client_id'] !== flow.clientId) throw invalidRequest('client_id does not match the flow.');
  return stored;
}

/** The app rejected: the device learns it at its next poll, the user sees the app's error. */
async function deny(deps: DeviceFlowDeps, flow: Flow, from: FlowState, rejected: Rejection): Promise<never> {
  await deps.devices.deny(flow.id, rejected);
  await deps.flows.transition([from], { flow: { ...flow, state: 'done' } });
  throw new OAuth2Error({ error: 'access_denied', status: 403, description: rejected.description, hint: rejected.hint });
}

export async function continueDeviceLogin(params: Record<string, string>, cookies: BrowserCookies, deps: DeviceFlowDeps): Promise<HandlerResult> {
  const { flow } = await deviceFlowFor(deps, 'login_verifier', params, cookies, 'login_handled');
  const login = flow.login;
  if (!login) throw serverError().withDebug('login_handled flow without a login outcome');
  if (login.rejected) return deny(deps, flow, 'login_handled', login.rejected);
  if (!deps.urls.consent) throw serverError('urls.consent is not configured.');

  const now = deps.clock.now();
  const client = await deps.clients.get(flow.clientId);
  // RFC 8628 §5.4 (remote phishing), as Hydra: a device flow never re-uses a remembered consent; the user
  // confirms each device. Only a client registered with skip_consent skips it.
  const consentSkip = client?.skip_consent === true;
  const challenge = mintSecret();
  const location = withParams(deps.urls.consent, { consent_challenge: challenge.value });
  const authenticatedAt = flow.loginSkip ? (flow.sessionAuthenticatedAt ?? now) : now;
  const next: Flow = { ...flow, state: 'consent_requested', authenticatedAt, consentSkip };
  if (!(await deps.flows.transition(['login_handled'], { flow: next, consentChallenge: challenge.hash }))) {
    throw accessDenied('The login_verifier has already been used.');
  }
  await recordForcedSubject(deps, client, login);
  return redirect(location, await rememberLogin(deps, next, login, cookies, now));
}

export async function continueDeviceConsent(params: Record<string, string>, cookies: BrowserCookies, deps: DeviceFlowDeps): Promise<HandlerResult> {
  const { flow } = await deviceFlowFor(deps, 'consent_verifier', params, cookies, 'consent_handled');
  const { login, consent } = flow;
  if (!login || !consent) throw serverError().withDebug('consent_handled flow without outcomes');
  if (consent.rejected) return deny(deps, flow, 'consent_handled', consent.rejected);
  if (!deps.deviceUrls.success) throw serverError('urls.device.success is not configured.');

  const now = deps.clock.now();
  const device = await deps.devices.get(flow.id);
  if (!device || device.expiresAt <= now) {
    await deps.flows.transition(['consent_handled'], { flow: { ...flow, state: 'done' } });
    throw invalidRequest('The device code has expired; start again on the device.');
  }
  // The grant the device's next poll exchanges: the device code's own signature, expiring with it.
  const grant: TokenRecord = {
    signature: device.deviceCode,
    kind: 'device_code',
    familyId: flow.id,
    clientId: flow.clientId,
    subject: login.subject,
    scope: consent.grantScope,
    audience: consent.grantAudience,
    session: grantSession(flow, login, consent, now),
    issuedAt: now,
    expiresAt: device.expiresAt,
    usedAt: null,
    revoked: false,
  };
  const location = withParams(deps.deviceUrls.success, { client_id: flow.clientId });
  if (!(await deps.flows.finish(flow.id, [grant], consentRecord(flow, login, consent, now)))) {
    throw accessDenied('The consent_verifier has already been used.');
  }
  return redirect(location);
}
