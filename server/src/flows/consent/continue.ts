import { accessDenied, serverError } from '../../errors/catalog.js';
import type { HandlerResult } from '../../lib/result.js';
import { authorizationResponse, errorResponse, RedirectableError, type RedirectedError } from '../../oauth2/authorize/redirect.js';
import { authorizationGrant, responsePartsOf } from '../../oauth2/authorize/issue.js';
import type { FlowDeps } from '../deps.js';
import type { BrowserCookies } from '../browser.js';
import { flowForVerifier } from '../verifier.js';
import { consentRecord } from './record.js';

/**
 * `/oauth2/auth?…&consent_verifier=`: the browser is back from the consent
 * app. What the response type asks for (code, tokens), the consent record
 * and the flow's end are one transaction; a replayed verifier finds the flow
 * done and mints nothing.
 */
export async function continueAfterConsent(params: Record<string, string>, cookies: BrowserCookies, deps: FlowDeps): Promise<HandlerResult> {
  const { stored, target } = await flowForVerifier(deps, 'consent_verifier', params, cookies, 'consent_handled');
  const { flow } = stored;
  const { login, consent } = flow;
  if (!login || !consent) throw serverError().withDebug('consent_handled flow without outcomes');
  // The error redirect is built before the flow ends: a URI that cannot carry it throws with nothing changed.
  const endWith = async (err: RedirectedError) => {
    const response = errorResponse(target, err, deps.issuer);
    await deps.flows.transition(['consent_handled'], { flow: { ...flow, state: 'done' } });
    return response;
  };
  if (consent.rejected) return endWith(consent.rejected);

  const now = deps.clock.now();
  // OIDC Core §3.2.2.1: an ID token was asked for, and only an `openid` grant may carry one.
  if (responsePartsOf(flow).includes('id_token') && !consent.grantScope.includes('openid')) {
    return endWith(accessDenied('The openid scope was not granted, so no ID token can be returned.'));
  }
  const grant = await authorizationGrant({ flow, login, consent, now }, deps);
  const decision = consentRecord(flow, login, consent, now);
  // The response is built before the code is stored: a code must never exist for a redirect that cannot be sent.
  const response = authorizationResponse(target, grant.params, deps.issuer);
  if (!(await deps.flows.finish(flow.id, grant.records, decision))) {
    throw new RedirectableError(accessDenied('The consent_verifier has already been used.'), target);
  }
  return response;
}
