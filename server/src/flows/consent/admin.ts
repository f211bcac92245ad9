import type { AcceptOAuth2ConsentRequest, OAuth2ConsentRequest, RejectOAuth2Request } from '@tessera/sdk';
import { invalidRequest } from '../../errors/catalog.js';
import { json, type HandlerResult } from '../../lib/result.js';
import { firstDisallowedAudience, firstDisallowedScope, parseScope } from '../../oauth2/scope.js';
import type { ConsentOutcome, Flow } from '../flow.js';
import type { FlowDeps } from '../deps.js';
import { FlowGone, flowForChallenge, guarded } from '../lookup.js';
import { mintSecret } from '../secrets.js';
import { oidcContext, rejection, wireClient, withVerifier } from '../context.js';
import { openLoginChallenge } from '../login-challenge.js';

/*
 * GET / PUT accept / PUT reject /admin/oauth2/auth/requests/consent (Hydra v2).
 * The consent app may grant less than requested, never more than the client
 * is registered for.
 */

const OPEN = ['consent_requested', 'consent_handled'] as const;

async function settle(deps: FlowDeps, flow: Flow, consent: ConsentOutcome): Promise<HandlerResult> {
  const verifier = mintSecret();
  const redirectTo = withVerifier(flow.request.requestUrl, 'consent_verifier', verifier.value);
  const next: Flow = { ...flow, state: 'consent_handled', consent };
  if (!(await deps.flows.transition(OPEN, { flow: next, consentVerifier: verifier.hash }))) {
    throw new FlowGone(flow.request.requestUrl);
  }
  deps.metrics?.flowOutcome('consent', consent.rejected ? 'rejected' : flow.consentSkip === true ? 'skipped' : 'accepted');
  return json({ redirect_to: redirectTo });
}

const noClaims = Object.freeze({});

export function consentHandlers(deps: FlowDeps) {
  const load = (challenge: string | undefined) => flowForChallenge(deps.flows, 'consent_challenge', challenge, OPEN, deps.clock.now());

  return {
    get: (challenge: string | undefined) =>
      guarded(async () => {
        const stored = await load(challenge);
        const { flow } = stored;
        const body: OAuth2ConsentRequest = {
          challenge: challenge ?? '',
          consent_request_id: flow.id,
          client: await wireClient(deps, flow.clientId),
          request_url: flow.request.requestUrl,
          requested_scope: [...flow.request.scope],
          requested_access_token_audience: [...flow.request.audience],
          skip: flow.consentSkip === true,
          subject: flow.login?.subject ?? '',
          oidc_context: oidcContext(flow.request),
          // As Hydra: the login app's challenge for this flow, so the apps can correlate the two.
          login_challenge: openLoginChallenge(deps.challengeSealer, stored),
          login_session_id: flow.sessionId,
          acr: flow.login?.acr ?? '',
          amr: [...(flow.login?.amr ?? [])],
          ...(flow.login?.context !== undefined ? { context: flow.login.context } : {}),
        };
        return json(body);
      }),

    accept: (challenge: string | undefined, body: AcceptOAuth2ConsentRequest) =>
      guarded(async () => {
        const { flow } = await load(challenge);
        const client = await deps.clients.get(flow.clientId);
        const grantScope = [...new Set(body.grant_scope ?? [])];
        const grantAudience = [...new Set(body.grant_access_token_audience ?? [])];
        const badScope = firstDisallowedScope(grantScope, parseScope(client?.scope), deps.scopeStrategy);
        if (badScope !== undefined) throw invalidRequest(`grant_scope: the client may not be granted "${badScope}".`);
        const badAudience = firstDisallowedAudience(grantAudience, client?.audience ?? []);
        if (badAudience !== undefined) throw invalidRequest(`grant_access_token_audience: the client may not be granted "${badAudience}".`);
        return settle(deps, flow, {
          grantScope,
          grantAudience,
          remember: body.remember === true,
          rememberFor: body.remember_for ?? 0,
          accessTokenClaims: body.session?.access_token ?? noClaims,
          idTokenClaims: body.session?.id_token ?? noClaims,
          context: body.context,
        });
      }),

    reject: (challenge: string | undefined, body: RejectOAuth2Request) =>
      guarded(async () => {
        const { flow } = await load(challenge);
        return settle(deps, flow, {
          grantScope: [],
          grantAudience: [],
          remember: false,
          rememberFor: 0,
          accessTokenClaims: noClaims,
          idTokenClaims: noClaims,
          rejected: rejection(body, 'consent'),
        });
      }),
  };
}
