import { toWire } from '../../clients/mapper.js';
import { invalidRequest, notFound } from '../../errors/catalog.js';
import { empty, json, type HandlerResult } from '../../lib/result.js';
import { withParams } from '../../oauth2/authorize/redirect.js';
import { FlowGone, guarded } from '../lookup.js';
import { hashSecret, mintSecret } from '../secrets.js';
import type { LogoutDeps } from './deps.js';

/*
 * GET / PUT accept / PUT reject /admin/oauth2/auth/requests/logout (Hydra v2).
 * Reject answers 204 and ends the request: the user stays logged in.
 */
export function logoutHandlers(deps: LogoutDeps) {
  async function load(challenge: string | undefined) {
    if (!challenge) throw invalidRequest('The logout_challenge parameter is missing.');
    const found = await deps.logouts.find('challenge', hashSecret(challenge));
    if (!found) throw notFound('No logout request matches this logout_challenge.');
    const { request } = found;
    if (request.status === 'done' || request.expiresAt <= deps.clock.now()) throw new FlowGone(request.requestUrl);
    return request;
  }

  return {
    get: (challenge: string | undefined) =>
      guarded(async () => {
        const request = await load(challenge);
        const client = request.clientId ? await deps.clients.get(request.clientId) : undefined;
        return json({
          challenge,
          subject: request.subject,
          sid: request.sid,
          request_url: request.requestUrl,
          rp_initiated: request.rpInitiated,
          ...(client ? { client: toWire(client) } : {}),
          requested_at: new Date(request.requestedAt).toISOString(),
          expires_at: new Date(request.expiresAt).toISOString(),
        });
      }),

    accept: (challenge: string | undefined): Promise<HandlerResult> =>
      guarded(async () => {
        const request = await load(challenge);
        const verifier = mintSecret();
        const redirectTo = withParams(deps.endSessionUrl, { logout_verifier: verifier.value });
        if (!(await deps.logouts.accept(request.id, verifier.hash))) throw new FlowGone(request.requestUrl);
        return json({ redirect_to: redirectTo });
      }),

    reject: (challenge: string | undefined): Promise<HandlerResult> =>
      guarded(async () => {
        const request = await load(challenge);
        await deps.logouts.delete(request.id);
        return empty();
      }),
  };
}
