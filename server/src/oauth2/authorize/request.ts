import type { Client } from '../../clients/client.js';
import { invalidRequest, invalidScope, unsupportedResponseMode } from '../../errors/catalog.js';
import { OAuth2Error } from '../../errors/oauth2-error.js';
import type { ClientStore } from '../../storage/ports.js';
import type { AuthorizeRequest } from '../../flows/flow.js';
import type { IdTokenSigner } from '../../keys/signer.js';
import { firstDisallowedScope, parseScope, type ScopeStrategy } from '../scope.js';
import { requestedAudience, withRepeatedResources } from '../resource.js';
import { resolveRedirectUri } from './checks/redirect-uri.js';
import { checkCodeChallenge, type PkcePolicy } from './checks/pkce.js';
import { parseMaxAge, parsePrompt } from './checks/prompt.js';
import { checkRequestSize } from './checks/size.js';
import { checkResponseType, defaultResponseMode, type ResponsePart } from './checks/response-type.js';
import { RedirectableError, responseModeOf, type RedirectTarget } from './redirect.js';
import { JKT_PATTERN } from '../dpop/index.js';

export interface AuthorizeCheckDeps {
  readonly clients: Pick<ClientStore, 'get'>;
  readonly scopeStrategy: ScopeStrategy;
  readonly pkce: PkcePolicy;
  readonly signer: Pick<IdTokenSigner, 'verifyHint'>;
  /** Where `/oauth2/auth` is reached, for `request_url`. */
  readonly authorizeUrl: string;
  /** `oauth2.authorization_request.max_bytes`. */
  readonly maxRequestBytes: number;
  /** `oauth2.pushed_authorization_requests.required`: every client must push (RFC 9126 §5). */
  readonly parRequired: boolean;
}

export interface CheckOptions {
  /** The parameters came from POST /oauth2/par (RFC 9126), not from the browser. */
  readonly pushed?: boolean;
  /** The URL the browser came with, when it is not the parameters' own (a pushed request's `request_uri`). */
  readonly requestUrl?: string;
}

/** fosite's minimum for state and nonce: short values are likely not random. */
const MIN_ENTROPY = 8;

/**
 * Validates an authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1,
 * RFC 9700). Until client and redirect_uri are trusted, errors are thrown as
 * they are (shown to the user); after that, as RedirectableError.
 */
export async function checkAuthorizeRequest(
  params: Record<string, string>,
  deps: AuthorizeCheckDeps,
  options: CheckOptions = {},
): Promise<{ client: Client; request: AuthorizeRequest }> {
  checkRequestSize(params, deps.maxRequestBytes, 'authorization request');
  const clientId = params['client_id'];
  if (!clientId) throw invalidRequest('The client_id parameter is missing.');
  const client = await deps.clients.get(clientId);
  // 400, not 401: a 401 to a browser invites a credentials prompt, and there is no client authentication here.
  if (!client) throw new OAuth2Error({ error: 'invalid_client', status: 400, description: 'The requested OAuth 2.0 client does not exist.' });
  const redirect = resolveRedirectUri(client, params['redirect_uri']);
  // The mode first: every later error travels in it. An unknown one is answered in the
  // response type's default mode (as fosite does), as is a `query` refused for a token.
  const fallback = defaultResponseMode(params['response_type']);
  const mode = responseModeOf(params['response_mode'], fallback);
  const target: RedirectTarget = { redirectUri: redirect.uri, state: params['state'], mode: mode === 'query' ? fallback : (mode ?? fallback) };
  try {
    if (!mode) throw unsupportedResponseMode(`The response_mode "${params['response_mode']}" is not supported; use "query", "fragment" or "form_post".`);
    // RFC 9126 §5 and §6: a client (or server) that requires PAR takes no request from the browser.
    if (!options.pushed && (deps.parRequired || client.require_pushed_authorization_requests === true)) {
      throw invalidRequest('Authorization requests must be pushed to /oauth2/par first (RFC 9126).');
    }
    const request = await checkRest(params, client, { ...redirect, mode }, deps);
    return { client, request: options.requestUrl === undefined ? request : { ...request, requestUrl: options.requestUrl } };
  } catch (err) {
    throw err instanceof OAuth2Error ? new RedirectableError(err, target) : err;
  }
}

async function checkRest(
  params: Record<string, string>,
  client: Client,
  redirect: { uri: string; sent: boolean; mode: RedirectTarget['mode'] },
  deps: AuthorizeCheckDeps,
): Promise<AuthorizeRequest> {
  if (params['request'] !== undefined) throw new OAuth2Error({ error: 'request_not_supported', status: 400, description: 'Request objects are not supported.' });
  if (params['request_uri'] !== undefined) throw new OAuth2Error({ error: 'request_uri_not_supported', status: 400, description: 'request_uri is not supported.' });
  const responseType = checkResponseType(params['response_type'], client, redirect.mode);

  const scope = parseScope(params['scope']);
  const badScope = firstDisallowedScope(scope, parseScope(client.scope), deps.scopeStrategy);
  if (badScope !== undefined) throw invalidScope(`The client may not request the scope "${badScope}".`);
  // Hydra's `audience` and RFC 8707's `resource` both ask for the access token's audience (oauth2/resource.ts).
  const audience = requestedAudience(params, client.audience);

  const state = params['state'];
  if (state !== undefined && state.length < MIN_ENTROPY) throw invalidRequest(`state must be at least ${MIN_ENTROPY} characters long.`);
  const nonce = checkNonce(params['nonce'], responseType, scope);
  // PKCE binds a code; without one in the response there is nothing to bind.
  const pkce = responseType.includes('code') ? checkCodeChallenge(client, params['code_challenge'], params['code_challenge_method'], deps.pkce) : {};
  // With PKCE, state is optional (RFC 9700 §2.1: PKCE protects against CSRF), and so it is when an
  // ID token carries the nonce (OIDC Core §3.2.2.1); otherwise Hydra's rule holds.
  if (state === undefined && pkce.codeChallenge === undefined && !responseType.includes('id_token')) {
    throw invalidRequest('The state parameter is required unless PKCE is used.');
  }

  let idTokenHintClaims: Record<string, unknown> | undefined;
  if (params['id_token_hint']) {
    idTokenHintClaims = await deps.signer.verifyHint(params['id_token_hint']);
    if (!idTokenHintClaims) throw invalidRequest('The id_token_hint is not an ID token issued by this server.');
  }

  return {
    clientId: client.client_id,
    redirectUri: redirect.uri,
    redirectUriSent: redirect.sent,
    responseMode: redirect.mode,
    responseType,
    scope,
    audience,
    state,
    nonce,
    ...pkce,
    ...dpopJkt(params['dpop_jkt'], responseType),
    prompt: parsePrompt(params['prompt']),
    maxAge: parseMaxAge(params['max_age']),
    loginHint: params['login_hint'],
    acrValues: parseScope(params['acr_values']),
    uiLocales: parseScope(params['ui_locales']),
    display: params['display'],
    idTokenHintClaims,
    requestUrl: `${deps.authorizeUrl}?${withRepeatedResources(params)}`,
  };
}

/**
 * OIDC Core §3.2.2.1 and §3.3.2.11: an ID token sent through the browser must
 * carry the client's nonce, and only an OpenID request gets one.
 */
function checkNonce(nonce: string | undefined, responseType: readonly ResponsePart[], scope: readonly string[]): string | undefined {
  if (nonce !== undefined && nonce.length < MIN_ENTROPY) throw invalidRequest(`nonce must be at least ${MIN_ENTROPY} characters long.`);
  if (!responseType.includes('id_token')) return nonce;
  if (!scope.includes('openid')) throw invalidScope('response_type "id_token" needs the openid scope (OpenID Connect Core §3.2.2.1).');
  if (nonce === undefined) throw invalidRequest('nonce is required when an ID token is returned from the authorization endpoint (OpenID Connect Core §3.2.2.1).');
  return nonce;
}

/** RFC 9449 §10: `dpop_jkt` binds the code to a DPoP key; only a code has something to bind. */
function dpopJkt(value: string | undefined, responseType: readonly ResponsePart[]): { dpopJkt?: string } {
  if (value === undefined) return {};
  if (!JKT_PATTERN.test(value)) throw invalidRequest('dpop_jkt must be a base64url SHA-256 JWK thumbprint (RFC 9449 §10).');
  return responseType.includes('code') ? { dpopJkt: value } : {};
}
