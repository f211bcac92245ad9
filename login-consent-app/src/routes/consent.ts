import { handleConsent, type ConsentAdmin, type OAuth2ConsentRequest } from '@tessera/sdk';
import type { Context } from 'koa';
import { field, formOf } from '../http/form.js';
import { redirect, sendHtml } from '../http/respond.js';
import { idTokenClaims } from '../oidc/claims.js';
import { grantedScopes } from '../oidc/scopes.js';
import type { User } from '../users/user.js';
import { consentPage } from '../views/consent.js';
import { INACTIVE, challengeOf, csrfFailure, type RouteDeps } from './deps.js';

/**
 * The SDK's admin calls, refusing to accept for a subject that is no longer an
 * active user: remembered consents (`skip`) are accepted by the helper
 * without asking us, and must not outlive a disabled account. One instance
 * per HTTP request (it remembers the request it read).
 */
function activeOnly(deps: RouteDeps): ConsentAdmin {
  let subject = '';
  return {
    async getConsentRequest(challenge) {
      const request = await deps.admin.getConsentRequest(challenge);
      subject = request.subject;
      return request;
    },
    rejectConsentRequest: (challenge, reject) => deps.admin.rejectConsentRequest(challenge, reject),
    async acceptConsentRequest(challenge, accept) {
      const user = await deps.users.byId(subject);
      if (!user || user.disabled) return deps.admin.rejectConsentRequest(challenge, INACTIVE);
      return deps.admin.acceptConsentRequest(challenge, accept);
    },
  };
}

/** Claims for a skipped consent: what was requested (and is granted), from the user's current record. */
async function skippedClaims(deps: RouteDeps, request: OAuth2ConsentRequest) {
  const user = await deps.users.byId(request.subject);
  return user ? { id_token: idTokenClaims(user, request.requested_scope) } : undefined;
}

function show(ctx: Context, deps: RouteDeps, request: OAuth2ConsentRequest, user: User | undefined): void {
  const csrf = deps.csrf.issue(ctx, 'consent', request.challenge);
  sendHtml(
    ctx,
    consentPage({
      request,
      csrf,
      userEmail: user?.email ?? request.subject,
      scopeTexts: deps.consent?.scopeTexts,
      firstParty: deps.consent?.firstPartyClients.has(request.client.client_id) === true,
    }),
  );
}

/** GET /consent: a remembered (or skip_consent) grant goes straight on; otherwise the consent screen. */
export async function getConsent(ctx: Context, deps: RouteDeps): Promise<void> {
  const step = await handleConsent<User>(activeOnly(deps), challengeOf(ctx, 'consent_challenge'), {
    claims: (request) => skippedClaims(deps, request),
    decide: async (request) => {
      const user = await deps.users.byId(request.subject);
      return user && !user.disabled ? { render: user } : { reject: INACTIVE };
    },
  });
  if (step.redirectTo !== undefined) return redirect(ctx, step.redirectTo);
  show(ctx, deps, step.show, step.render);
}

/**
 * POST /consent: deny, or grant the ticked scopes (never more than requested,
 * never without `openid`), the requested audiences, and the ID token claims
 * those scopes allow.
 */
export async function postConsent(ctx: Context, deps: RouteDeps): Promise<void> {
  const challenge = challengeOf(ctx, 'consent_challenge');
  const form = formOf(ctx);
  if (!deps.csrf.verify(ctx, 'consent', challenge, field(form, 'csrf'))) throw csrfFailure();
  const action = field(form, 'action');
  const step = await handleConsent<User>(activeOnly(deps), challenge, {
    claims: (request) => skippedClaims(deps, request),
    decide: async (request) => {
      if (action === 'deny') return { reject: { error: 'access_denied', error_description: 'The user denied the request.' } };
      const user = await deps.users.byId(request.subject);
      if (!user || user.disabled) return { reject: INACTIVE };
      if (action !== 'allow') return { render: user };
      const grant_scope = grantedScopes(request.requested_scope, form.getAll('grant_scope'));
      return {
        grant_scope,
        grant_access_token_audience: request.requested_access_token_audience,
        remember: field(form, 'remember') === 'on',
        session: { id_token: idTokenClaims(user, grant_scope) },
      };
    },
  });
  if (step.redirectTo !== undefined) return redirect(ctx, step.redirectTo);
  show(ctx, deps, step.show, step.render);
}
