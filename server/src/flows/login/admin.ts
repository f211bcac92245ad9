import type { AcceptOAuth2LoginRequest, OAuth2LoginRequest, RejectOAuth2Request } from '@tessera/sdk';
import { invalidRequest } from '../../errors/catalog.js';
import { json, type HandlerResult } from '../../lib/result.js';
import type { Flow, LoginOutcome } from '../flow.js';
import type { FlowDeps } from '../deps.js';
import { FlowGone, flowForChallenge, guarded } from '../lookup.js';
import { mintSecret } from '../secrets.js';
import { oidcContext, rejection, wireClient, withVerifier } from '../context.js';

/*
 * GET / PUT accept / PUT reject /admin/oauth2/auth/requests/login (Hydra v2).
 * A challenge can be accepted again until its verifier is used (the newest
 * verifier wins); after that, or once expired, 410 with where to restart.
 */

const OPEN = ['login_requested', 'login_handled'] as const;

async function settle(deps: FlowDeps, flow: Flow, login: LoginOutcome): Promise<HandlerResult> {
  const verifier = mintSecret();
  const redirectTo = withVerifier(flow.request.requestUrl, 'login_verifier', verifier.value);
  const next: Flow = { ...flow, state: 'login_handled', login };
  if (!(await deps.flows.transition(OPEN, { flow: next, loginVerifier: verifier.hash }))) {
    throw new FlowGone(flow.request.requestUrl);
  }
  deps.metrics?.flowOutcome('login', login.rejected ? 'rejected' : flow.loginSkip ? 'skipped' : 'accepted');
  return json({ redirect_to: redirectTo });
}

export function loginHandlers(deps: FlowDeps) {
  const load = (challenge: string | undefined) => flowForChallenge(deps.flows, 'login_challenge', challenge, OPEN, deps.clock.now());

  return {
    get: (challenge: string | undefined) =>
      guarded(async () => {
        const { flow } = await load(challenge);
        const body: OAuth2LoginRequest = {
          challenge: challenge ?? '',
          client: await wireClient(deps, flow.clientId),
          request_url: flow.request.requestUrl,
          requested_scope: [...flow.request.scope],
          requested_access_token_audience: [...flow.request.audience],
          skip: flow.loginSkip,
          subject: flow.loginSubject,
          oidc_context: oidcContext(flow.request),
          session_id: flow.sessionId,
          requested_at: new Date(flow.requestedAt).toISOString(),
        };
        return json(body);
      }),

    accept: (challenge: string | undefined, body: AcceptOAuth2LoginRequest) =>
      guarded(async () => {
        const { flow } = await load(challenge);
        // A remembered login belongs to its subject; another one must log in afresh (prompt=login).
        if (flow.loginSkip && body.subject !== flow.loginSubject) {
          throw invalidRequest('This login request was skipped for a remembered subject; it cannot be accepted for another one.');
        }
        return settle(deps, flow, {
          subject: body.subject,
          // Hydra forces remember on a skipped login: the session already exists.
          remember: flow.loginSkip || body.remember === true,
          rememberFor: body.remember_for ?? 0,
          extendSessionLifespan: body.extend_session_lifespan === true,
          // A skipped login describes the original authentication unless the app says otherwise.
          acr: body.acr ?? flow.sessionAcr ?? '',
          amr: body.amr ?? flow.sessionAmr ?? [],
          context: body.context,
          forceSubjectIdentifier: body.force_subject_identifier,
        });
      }),

    reject: (challenge: string | undefined, body: RejectOAuth2Request) =>
      guarded(async () => {
        const { flow } = await load(challenge);
        return settle(deps, flow, {
          subject: '',
          remember: false,
          rememberFor: 0,
          extendSessionLifespan: false,
          acr: '',
          amr: [],
          rejected: rejection(body, 'login'),
        });
      }),
  };
}
