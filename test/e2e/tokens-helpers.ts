import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Running } from '../helpers/tessera.js';
import { basic, form, type CreatedClient } from '../helpers/clients.js';
import { request, type Answer } from '../helpers/http.js';
import { Browser } from '../helpers/browser.js';
import { runFlow, type ConsentDecision, type LoginDecision } from '../helpers/flow.js';

/*
 * Helpers shared by the code-exchange, refresh and ID-token/userinfo suites:
 * they build the authorization request and the token request by hand, so
 * every parameter the tests care about is visible and can be left out.
 */

/** DESIGN.md § Tokens: prefix, 32 random bytes, HMAC-SHA256, both base64url without padding. */
export const TOKEN_FORMAT = /^ory_(at|rt)_[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/;

export interface TokenBody {
  readonly access_token: string;
  readonly token_type: string;
  readonly expires_in: number;
  readonly scope: string;
  readonly refresh_token?: string;
  readonly id_token?: string;
  /** RFC 8693 §2.2.1 (token exchange). */
  readonly issued_token_type?: string;
  readonly error?: string;
  readonly error_description?: string;
}

export type Introspection = Readonly<Record<string, unknown>> & { readonly active: boolean };

/** At least 8 characters, as the authorization endpoint wants for state and nonce. */
export const randomValue = (): string => randomBytes(12).toString('base64url');

/** RFC 7636 §4.1/§4.2: a 43-character verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface FlowOptions {
  readonly scope: string;
  /** The client's redirect URI; sent in the authorization request unless `sendRedirectUri` is false. */
  readonly redirectUri: string;
  readonly sendRedirectUri?: boolean;
  /** S256 PKCE unless false (the request then carries state only). */
  readonly pkce?: boolean;
  readonly nonce?: string;
  readonly audience?: readonly string[];
  readonly login?: LoginDecision;
  readonly consent?: ConsentDecision;
}

/** What the client holds after the browser came back with a code. */
export interface IssuedCode {
  readonly code: string;
  readonly verifier: string | undefined;
  /** The redirect_uri of the authorization request, undefined when it was not sent. */
  readonly redirectUri: string | undefined;
  readonly state: string;
}

export function authorizeUrl(t: Running, clientId: string, options: FlowOptions): { url: string; verifier: string | undefined; state: string } {
  const state = randomValue();
  const params = new URLSearchParams({ client_id: clientId, response_type: 'code', scope: options.scope, state });
  if (options.sendRedirectUri !== false) params.set('redirect_uri', options.redirectUri);
  let verifier: string | undefined;
  if (options.pkce !== false) {
    const pair = pkcePair();
    verifier = pair.verifier;
    params.set('code_challenge', pair.challenge);
    params.set('code_challenge_method', 'S256');
  }
  if (options.nonce !== undefined) params.set('nonce', options.nonce);
  if (options.audience !== undefined) params.set('audience', options.audience.join(' '));
  return { url: `${t.publicUrl}/oauth2/auth?${params.toString()}`, verifier, state };
}

/** authorize → login → consent in a fresh browser; returns the code from the callback. */
export async function authorize(t: Running, clientId: string, options: FlowOptions): Promise<IssuedCode> {
  const { url, verifier, state } = authorizeUrl(t, clientId, options);
  const callback = await runFlow(new Browser(), t.adminUrl, url, {
    login: { subject: 'user-1', ...options.login },
    ...(options.consent !== undefined ? { consent: options.consent } : {}),
  });
  expect(`${callback.origin}${callback.pathname}`).to.equal(options.redirectUri);
  expect(callback.searchParams.get('error'), callback.href).to.equal(null);
  expect(callback.searchParams.get('state')).to.equal(state);
  const code = callback.searchParams.get('code');
  expect(code, callback.href).to.match(/^ory_ac_/);
  return { code: code ?? '', verifier, redirectUri: options.sendRedirectUri === false ? undefined : options.redirectUri, state };
}

/** The token request a well-behaved client sends for `issued`; tests change or delete entries. */
export function codeParams(issued: IssuedCode): Record<string, string> {
  return {
    grant_type: 'authorization_code',
    code: issued.code,
    ...(issued.redirectUri !== undefined ? { redirect_uri: issued.redirectUri } : {}),
    ...(issued.verifier !== undefined ? { code_verifier: issued.verifier } : {}),
  };
}

/** POST /oauth2/token with a raw form body (duplicate parameters need it). */
export function tokenRaw(t: Running, body: string, authorization?: string): Promise<Answer<TokenBody>> {
  return request<TokenBody>(t.publicUrl, 'POST', '/oauth2/token', {
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization !== undefined ? { authorization } : {}) },
  });
}

export function token(t: Running, params: Record<string, string>, authorization?: string): Promise<Answer<TokenBody>> {
  return tokenRaw(t, form(params).body, authorization);
}

export const basicOf = (client: CreatedClient): string => basic(client.client_id, client.client_secret);

/** Exchanges a code with the client's Basic credentials. */
export function exchange(t: Running, client: CreatedClient, issued: IssuedCode): Promise<Answer<TokenBody>> {
  return token(t, codeParams(issued), basicOf(client));
}

/** A full flow and exchange that must succeed. */
export async function obtainTokens(t: Running, client: CreatedClient, options: FlowOptions): Promise<TokenBody> {
  const res = await exchange(t, client, await authorize(t, client.client_id, options));
  expect(res.status, res.text).to.equal(200);
  return res.body;
}

export function refresh(t: Running, client: CreatedClient, refreshToken: string, extra: Record<string, string> = {}): Promise<Answer<TokenBody>> {
  return token(t, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra }, basicOf(client));
}

/** POST /admin/oauth2/introspect (admin port). */
export async function introspect(t: Running, tokenValue: string): Promise<Introspection> {
  const f = form({ token: tokenValue });
  const res = await request<Introspection>(t.adminUrl, 'POST', '/admin/oauth2/introspect', { body: f.body, headers: f.headers });
  expect(res.status, res.text).to.equal(200);
  return res.body;
}

/** POST /oauth2/revoke by the token's client (RFC 7009). */
export async function revoke(t: Running, client: CreatedClient, tokenValue: string): Promise<void> {
  const f = form({ token: tokenValue });
  const res = await request(t.publicUrl, 'POST', '/oauth2/revoke', { body: f.body, headers: { ...f.headers, authorization: basicOf(client) } });
  expect(res.status, res.text).to.equal(200);
}

/** An RFC 6749 §5.2 error answer. */
export function expectError(res: Answer<TokenBody>, status: number, error: string, what = ''): void {
  expect(res.status, `${what} ${res.text}`).to.equal(status);
  expect(res.body.error, `${what} ${res.text}`).to.equal(error);
  expect(res.body.error_description, what).to.be.a('string');
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
