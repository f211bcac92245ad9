import * as oidc from 'openid-client';
import type { Pending, DemoTokens } from './session.js';
import { DEMO_SCOPE, type DemoClient } from './client.js';

/*
 * The demo relying party's OpenID Connect calls, made with openid-client as a
 * real application would: discovery, authorization code with PKCE (S256),
 * state and nonce, ID token validation, userinfo, refresh, revocation,
 * RP-initiated logout.
 */

export interface RelyingParty {
  readonly config: oidc.Configuration;
  readonly redirectUri: string;
  readonly postLogoutRedirectUri: string;
}

export async function discoverRelyingParty(issuer: string, client: DemoClient, appUrl: string): Promise<RelyingParty> {
  const insecure = new URL(issuer).protocol === 'http:';
  const config = await oidc.discovery(new URL(issuer), client.clientId, undefined, oidc.ClientSecretBasic(client.clientSecret), {
    // Plain http is only acceptable because the demo exists only in --dev, on 127.0.0.1.
    ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
  });
  return { config, redirectUri: `${appUrl}/demo/callback`, postLogoutRedirectUri: `${appUrl}/demo` };
}

export function newPending(): Pending {
  return { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier() };
}

export async function authorizationUrl(rp: RelyingParty, pending: Pending, prompt: readonly string[]): Promise<URL> {
  return oidc.buildAuthorizationUrl(rp.config, {
    redirect_uri: rp.redirectUri,
    scope: DEMO_SCOPE,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
    code_challenge_method: 'S256',
    ...(prompt.length > 0 ? { prompt: prompt.join(' ') } : {}),
  });
}

function keep(response: oidc.TokenEndpointResponse, previous?: DemoTokens): DemoTokens {
  return {
    access_token: response.access_token,
    refresh_token: response.refresh_token ?? previous?.refresh_token,
    id_token: response.id_token ?? previous?.id_token,
    scope: response.scope ?? previous?.scope,
    expires_at: response.expires_in === undefined ? undefined : Date.now() + response.expires_in * 1000,
  };
}

/** Checks the callback (state, iss, code) and redeems the code with the PKCE verifier; validates the ID token and nonce. */
export async function redeem(rp: RelyingParty, callbackUrl: URL, pending: Pending): Promise<{ tokens: DemoTokens; sub: string | undefined }> {
  const response = await oidc.authorizationCodeGrant(rp.config, callbackUrl, {
    pkceCodeVerifier: pending.verifier,
    expectedState: pending.state,
    expectedNonce: pending.nonce,
    idTokenExpected: true,
  });
  return { tokens: keep(response), sub: response.claims()?.sub };
}

export async function refresh(rp: RelyingParty, tokens: DemoTokens): Promise<DemoTokens> {
  if (!tokens.refresh_token) throw new Error('There is no refresh token (offline_access was not granted).');
  return keep(await oidc.refreshTokenGrant(rp.config, tokens.refresh_token), tokens);
}

export async function userinfo(rp: RelyingParty, tokens: DemoTokens): Promise<unknown> {
  const sub = decodeJwt(tokens.id_token)?.payload['sub'];
  return oidc.fetchUserInfo(rp.config, tokens.access_token, typeof sub === 'string' ? sub : oidc.skipSubjectCheck);
}

export async function revoke(rp: RelyingParty, token: string, hint: 'access_token' | 'refresh_token'): Promise<void> {
  await oidc.tokenRevocation(rp.config, token, { token_type_hint: hint });
}

export function endSessionUrl(rp: RelyingParty, tokens: DemoTokens | undefined, state: string): URL {
  return oidc.buildEndSessionUrl(rp.config, {
    post_logout_redirect_uri: rp.postLogoutRedirectUri,
    state,
    ...(tokens?.id_token ? { id_token_hint: tokens.id_token } : { client_id: rp.config.clientMetadata().client_id }),
  });
}

/** Header and payload of a JWT, for display only: openid-client has already verified it. */
export function decodeJwt(jwt: string | undefined): { header: Record<string, unknown>; payload: Record<string, unknown> } | undefined {
  const [header, payload] = (jwt ?? '').split('.');
  if (!header || !payload) return undefined;
  const part = (b64: string) => JSON.parse(Buffer.from(b64, 'base64url').toString('utf8')) as Record<string, unknown>;
  try {
    return { header: part(header), payload: part(payload) };
  } catch {
    return undefined;
  }
}
