import { createHash, randomBytes } from 'node:crypto';
import { CookieJar } from '../lib/cookie-jar.js';
import { basicAuth, FORM, parseJson, stringField, type HttpClient, type HttpResponse } from '../lib/http.js';
import type { FlowParams } from '../load/spec.js';

export interface FlowTokens {
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
}

export interface Pkce {
  readonly verifier: string;
  readonly challenge: string;
}

/** RFC 7636 §4.1–4.2, S256. */
export function pkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A browser tab: GETs with the jar's cookies, no redirects followed. */
export async function browse(http: HttpClient, jar: CookieJar, url: string): Promise<HttpResponse> {
  const cookie = jar.header();
  const res = await http.request('GET', url, { headers: cookie ? { cookie } : {} });
  jar.store(res.headers['set-cookie']);
  return res;
}

/** The Location of a redirect, resolved against the request URL; throws on anything else. */
export function redirectOf(res: HttpResponse, from: string, step: string): string {
  const location = res.headers.location;
  if ((res.status !== 302 && res.status !== 303) || location === undefined) {
    throw new Error(`${step}: expected a redirect, got HTTP ${res.status} ${res.body.slice(0, 200)}`);
  }
  return new URL(location, from).toString();
}

export function queryParam(url: string, name: string, step: string): string {
  const value = new URL(url).searchParams.get(name);
  if (value === null) throw new Error(`${step}: no ${name} in ${url.slice(0, 200)}`);
  return value;
}

export function authorizeQuery(p: FlowParams, challenge: string, extra: Record<string, string> = {}): string {
  return new URLSearchParams({
    response_type: 'code',
    client_id: p.clientId,
    redirect_uri: p.redirectUri,
    scope: p.scope,
    state: randomBytes(12).toString('base64url'),
    nonce: randomBytes(12).toString('base64url'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  }).toString();
}

/** RFC 6749 §4.1.3 with the RFC 7636 verifier; the client authenticates with client_secret_basic. */
export async function exchangeCode(http: HttpClient, p: FlowParams, tokenUrl: string, code: string, verifier: string): Promise<FlowTokens> {
  const res = await http.request('POST', tokenUrl, {
    headers: { 'content-type': FORM, authorization: basicAuth(p.clientId, p.clientSecret) },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: p.redirectUri, code_verifier: verifier }).toString(),
  });
  const body = parseJson(res, 'code exchange');
  const refresh = body['refresh_token'];
  return { accessToken: stringField(body, 'access_token', 'code exchange'), refreshToken: typeof refresh === 'string' ? refresh : undefined };
}
