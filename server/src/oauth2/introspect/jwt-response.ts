import type { IntrospectionRequest } from '@tessera/sdk';
import { isPublicClient } from '../../clients/client.js';
import { invalidClient } from '../../errors/catalog.js';
import type { IdTokenSigner } from '../../keys/signer.js';
import type { HandlerResult } from '../../lib/result.js';
import { authenticateClient, type ClientAuthDeps } from '../client-auth.js';
import type { Clock } from '../../lib/clock.js';

/*
 * RFC 9701: a JWT introspection response (an extension: Hydra has none).
 * A caller asking with `Accept: application/token-introspection+jwt` gets the
 * RFC 7662 answer, unchanged, as the `token_introspection` claim of a JWT
 * signed by the ID-token key set (keys/signer.ts), RS256, with
 * `typ: token-introspection+jwt` (§5), `iss` (this issuer), `aud` (the
 * caller) and `iat`; no `exp` or `sub` at the top level, so it cannot pass
 * for an access token or ID token (§5, §8.1).
 *
 * Introspection is on the admin port, as in Hydra, where callers are not
 * clients. `aud` must name the resource server the answer is for (§5), so
 * the JWT form needs the caller to authenticate as a confidential client, the
 * way it does at the token endpoint (client_secret_basic or _post,
 * private_key_jwt, client_secret_jwt); `aud` is its client id. Without (or
 * with wrong) credentials the answer is 401 `invalid_client`. The plain JSON
 * answer is unchanged and needs none. With the admin guard's bearer tokens
 * in the Authorization header, a client authenticates in the form instead.
 */

export const INTROSPECTION_JWT = 'application/token-introspection+jwt';
export const INTROSPECTION_JWT_TYP = 'token-introspection+jwt';
/** What discovery advertises as `introspection_signing_alg_values_supported` (RFC 9701 §7). */
export const INTROSPECTION_SIGNING_ALGS: readonly string[] = ['RS256'];

/** Whether the Accept header asks for a JWT answer (RFC 9701 §4). */
export function wantsIntrospectionJwt(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((range) => {
    const [type = '', ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    return type === INTROSPECTION_JWT && !params.some((p) => /^q=0(\.0*)?$/.test(p));
  });
}

/** The HTTP facts introspection reads besides its form. */
export interface IntrospectionHttp {
  readonly accept?: string | undefined;
  readonly authorization?: string | undefined;
  readonly peer?: string | undefined;
}

export interface JwtIntrospectDeps extends ClientAuthDeps {
  readonly signer: Pick<IdTokenSigner, 'sign'>;
  readonly issuer: string;
  readonly clock: Clock;
  /** The plain JSON introspection (handler.ts, as the composition root wraps it: metrics count both forms). */
  readonly plain: (request: IntrospectionRequest) => Promise<HandlerResult>;
}

/** Plain introspection, or (asked for in Accept) its RFC 9701 JWT form. */
export async function introspectNegotiated(request: IntrospectionRequest, http: IntrospectionHttp, deps: JwtIntrospectDeps): Promise<HandlerResult> {
  if (!wantsIntrospectionJwt(http.accept)) return deps.plain(request);
  const client = await authenticateClient({ authorization: http.authorization, form: request, peer: http.peer }, deps);
  if (isPublicClient(client)) throw invalidClient('A JWT introspection response is for a confidential client that authenticates (RFC 9701 §5).');
  const answer = await deps.plain(request);
  const body = answer.kind === 'json' ? answer.body : undefined;
  const claims = typeof body === 'string' ? (JSON.parse(body) as unknown) : body;
  const jwt = await deps.signer.sign(
    { iss: deps.issuer, aud: client.client_id, iat: Math.floor(deps.clock.now() / 1000), token_introspection: claims },
    { alg: 'RS256', typ: INTROSPECTION_JWT_TYP },
  );
  return { kind: 'json', body: jwt, headers: { 'Content-Type': INTROSPECTION_JWT } };
}
