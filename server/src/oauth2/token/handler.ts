import type { TokenRequest, TokenResponse } from '@tessera/sdk';
import type { Client } from '../../clients/client.js';
import { unsupportedGrantType } from '../../errors/catalog.js';
import type { HandlerResult } from '../../lib/result.js';
import { authenticateClient } from '../client-auth.js';
import type { GrantDeps } from './deps.js';
import { clientCredentialsGrant } from './grants/client-credentials.js';
import { authorizationCodeGrant } from './grants/authorization-code.js';
import { refreshTokenGrant } from './grants/refresh-token.js';
import { JWT_BEARER_GRANT, jwtBearerGrant } from './grants/jwt-bearer.js';
import { deviceCodeGrant } from './grants/device-code.js';
import { TOKEN_EXCHANGE_GRANT, tokenExchangeGrant } from './grants/token-exchange.js';
import { DEVICE_CODE_GRANT } from '../device/model.js';
import { nonceHeader, tokenRequestBinding } from '../dpop/index.js';

type Grant = (request: TokenRequest, client: Client, deps: GrantDeps) => Promise<TokenResponse>;

/**
 * One file per grant; the table is the list of what the endpoint supports.
 * A Map, not an object literal: `grant_type` is request input, and
 * `grant_type=constructor` must be an unknown grant, not Object (DESIGN.md).
 */
const GRANTS: ReadonlyMap<string, Grant> = new Map<string, Grant>([
  ['authorization_code', authorizationCodeGrant],
  ['refresh_token', refreshTokenGrant],
  ['client_credentials', clientCredentialsGrant],
  [JWT_BEARER_GRANT, jwtBearerGrant],
  [DEVICE_CODE_GRANT, deviceCodeGrant],
  [TOKEN_EXCHANGE_GRANT, tokenExchangeGrant],
]);

export const SUPPORTED_GRANTS: readonly string[] = [...GRANTS.keys()];

/** RFC 6749 §5.1: token responses must not be cached. */
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/** `dpop`: the DPoP header as received (RFC 9449 §4.1). */
export async function tokenEndpoint(request: TokenRequest, authorization: string | undefined, deps: GrantDeps, peer?: string, dpop?: string): Promise<HandlerResult> {
  const grant = GRANTS.get(request.grant_type);
  if (!grant) throw unsupportedGrantType(`The grant_type "${request.grant_type}" is not supported.`);
  const client = await authenticateClient({ authorization, form: request, peer }, deps);
  if (!deps.dpop) return { kind: 'json', status: 200, body: await grant(request, client, deps), headers: NO_STORE };
  // RFC 9449 §5: one proof per request, verified before the grant runs; the grant binds its tokens to the key.
  const jkt = await tokenRequestBinding(dpop, client, deps.dpop);
  const body = await grant(request, client, jkt === undefined ? deps : { ...deps, dpopJkt: jkt });
  if (jkt !== undefined) body.token_type = 'DPoP';
  return { kind: 'json', status: 200, body, headers: { ...NO_STORE, ...nonceHeader(deps.dpop) } };
}
