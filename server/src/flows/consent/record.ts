import type { ConsentRecord } from '../../storage/ports.js';
import type { TokenSession } from '../../tokens/token.js';
import type { ConsentOutcome, Flow, LoginOutcome } from '../flow.js';

/**
 * The consent record a finished flow writes, skipped consent or not (as
 * Hydra keeps a handled consent per flow): the family's tokens are reached
 * through it by revocation, logout and client deletion (DESIGN.md, Tokens).
 */
export function consentRecord(flow: Flow, login: LoginOutcome, consent: ConsentOutcome, now: number): ConsentRecord {
  const { request } = flow;
  return {
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
}

/**
 * What every token of a finished flow's grant carries (the code, implicit
 * tokens, the device grant): the consent's claims and how the user logged in,
 * with the subject identifier the login app forced (pairwise clients).
 */
export function grantSession(flow: Flow, login: LoginOutcome, consent: ConsentOutcome, now: number): TokenSession {
  return {
    ext: consent.accessTokenClaims,
    idToken: consent.idTokenClaims,
    authTime: flow.authenticatedAt ?? now,
    acr: login.acr,
    amr: login.amr,
    sid: flow.sessionId,
    ...(login.forceSubjectIdentifier ? { forcedSubject: login.forceSubjectIdentifier } : {}),
  };
}
