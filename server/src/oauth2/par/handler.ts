import type { PushedAuthorizationRequest, PushedAuthorizationResponse } from '@tessera/sdk';
import { invalidRequest } from '../../errors/catalog.js';
import type { Clock } from '../../lib/clock.js';
import type { HandlerResult } from '../../lib/result.js';
import { mintSecret } from '../../flows/secrets.js';
import type { PushedRequestStore } from '../../storage/ports.js';
import { authenticateClient, type ClientAuthDeps } from '../client-auth.js';
import { checkAuthorizeRequest, type AuthorizeCheckDeps } from '../authorize/request.js';
import { RedirectableError } from '../authorize/redirect.js';
import { REQUEST_URI_PREFIX } from './request-uri.js';
import { pushedRequestBinding, type DpopDeps } from '../dpop/index.js';

export interface ParDeps extends ClientAuthDeps, AuthorizeCheckDeps {
  readonly pushed: Pick<PushedRequestStore, 'create'>;
  readonly clock: Clock;
  /** `oauth2.pushed_authorization_requests.ttl` (ms). */
  readonly ttl: number;
  /** DPoP proofs at this endpoint (RFC 9449 §10.1); absent: a DPoP header is ignored. */
  readonly dpop?: (DpopDeps & { readonly parEndpoint: string }) | undefined;
}

/** How the client authenticates: not part of the authorization request it pushes. */
const AUTHENTICATION = new Set(['client_secret', 'client_assertion', 'client_assertion_type']);

/** RFC 9126 §2.2: never cached. */
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/**
 * POST /oauth2/par (RFC 9126 §2). The client authenticates as at the token
 * endpoint; the request is checked exactly as /oauth2/auth checks it, but
 * every error is answered here as JSON (§2.3), never redirected: nothing is
 * stored for a request the authorization endpoint would refuse. The answer's
 * `request_uri` carries a fresh secret; the database keeps its hash.
 */
export async function pushAuthorizationRequest(form: PushedAuthorizationRequest, authorization: string | undefined, deps: ParDeps, peer?: string, dpop?: string): Promise<HandlerResult> {
  const client = await authenticateClient({ authorization, form, peer }, deps);
  // §2.1: "request_uri" is not allowed here; a request object is not supported anywhere.
  if (form['request_uri'] !== undefined) throw invalidRequest('request_uri must not be sent to the pushed authorization request endpoint (RFC 9126 §2.1).');
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(form)) {
    if (!AUTHENTICATION.has(name) && typeof value === 'string') params[name] = value;
  }
  if (params['client_id'] !== undefined && params['client_id'] !== client.client_id) throw invalidRequest('client_id does not match the authenticated client.');
  params['client_id'] = client.client_id;
  // RFC 9449 §10.1: a proof here binds the code to its key, as dpop_jkt would.
  const jkt = deps.dpop ? await pushedRequestBinding(dpop, params['dpop_jkt'], deps.dpop) : undefined;
  if (jkt !== undefined) params['dpop_jkt'] = jkt;
  try {
    await checkAuthorizeRequest(params, deps, { pushed: true });
  } catch (err) {
    throw err instanceof RedirectableError ? err.oauth : err;
  }
  const now = deps.clock.now();
  const secret = mintSecret();
  await deps.pushed.create({ id: secret.hash, clientId: client.client_id, params, expiresAt: now + deps.ttl });
  const body: PushedAuthorizationResponse = { request_uri: `${REQUEST_URI_PREFIX}${secret.value}`, expires_in: Math.floor(deps.ttl / 1000) };
  return { kind: 'json', status: 201, body, headers: NO_STORE };
}
