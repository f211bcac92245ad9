import { accessDenied, serverError } from '../../errors/catalog.js';
import type { HandlerResult } from '../../lib/result.js';
import { authorizationResponse, errorResponse, RedirectableError } from '../../oauth2/authorize/redirect.js';
import type { ConsentRecord } from '../../storage/ports.js';
import type { TokenRecord } from '../../tokens/token.js';
import type { FlowDeps } from '../deps.js';
import type { BrowserCookies } from '../browser.js';
import { flowForVerifier } from '../verifier.js';

/**
 * `/oauth2/auth?…&consent_verifier=`: the browser is back from the consent
 * app. The code, the consent record and the flow's end are one transaction;
 * a replayed verifier finds the flow done and mints nothing.
 */
export async function continueAfterConsent(params: Record<string, string>, cookies: BrowserCookies, deps: FlowDeps): Promise<HandlerResult> {
  const { stored, target } = await flowForVerifier(deps, 'consent_verifier', params, cookies, 'consent_handled');
  const { flow } = stored;
  const { login, consent } = flow;
  if (!login || !consent) throw serverError().withDebug('consent_handled flow without outcomes');
  if (consent.rejected) {
    const response = errorResponse(target, consent.rejected, deps.issuer);
    await deps.flows.transition(['consent_handled'], { flow: { ...flow, state: 'done' } });
    return response;
  }

  const now = deps.clock.now();
  const code = deps.strategy.mint('authorization_code');
  const { request } = flow;
  const record: TokenRecord = {
    signature: code.signature,
    kind: 'authorization_code',
    familyId: flow.id,
    clientId: flow.clientId,
    subject: login.subject,
    scope: consent.grantScope,
    audience: consent.grantAudience,
    session: {
      ext: consent.accessTokenClaims,
      idToken: consent.idTokenClaims,
      authTime: flow.authenticatedAt ?? now,
      acr: login.acr,
      amr: login.amr,
      sid: flow.sessionId,
      ...(login.forceSubjectIdentifier ? { forcedSubject: login.forceSubjectIdentifier } : {}),
      code: {
        redirectUri: request.redirectUri,
        redirectUriSent: request.redirectUriSent,
        codeChallenge: request.codeChallenge,
        codeChallengeMethod: request.codeChallengeMethod,
        nonce: request.nonce,
      },
    },
    issuedAt: now,
    expiresAt: now + deps.ttl.authCode,
    usedAt: null,
    revoked: false,
  };
  // Every flow records its consent, skipped or not (as Hydra keeps a handled consent per flow):
  // the family's tokens are reached through it by revocation, logout and client deletion.
  const decision: ConsentRecord = {
    id: flow.id,
    ...(flow.consentSkip ? { skip: flow.consentOrigin !== undefined ? 'remembered' : 'client', originId: flow.consentOrigin } : {}),
    subject: login.subject,
    clientId: flow.clientId,
    loginSessionId: flow.sessionId,
    grantScope: consent.grantScope,
    grantAudience: consent.grantAudience,
    accessTokenClaims: consent.accessTokenClaims,
    idTokenClaims: consent.idTokenClaims,
    requestedScope: request.scope,
    requestedAudience: request.audience,
    acr: login.acr,
    amr: login.amr,
    context: consent.context,
    remember: consent.remember,
    rememberUntil: consent.rememberFor > 0 ? now + consent.rememberFor * 1000 : null,
    handledAt: now,
  };
  // The response is built before the code is stored: a code must never exist for a redirect that cannot be sent.
  const response = authorizationResponse(target, { code: code.token, scope: consent.grantScope.join(' ') }, deps.issuer);
  if (!(await deps.flows.finish(flow.id, [record], decision))) {
    throw new RedirectableError(accessDenied('The consent_verifier has already been used.'), target);
  }
  return response;
}
