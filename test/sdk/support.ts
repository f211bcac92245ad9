import { expect } from 'chai';
import { TesseraError, type OAuth2Client, type TokenResponse } from '@tessera/sdk';
import { basic, form } from '../helpers/clients.js';
import { request } from '../helpers/http.js';
import type { Running } from '../helpers/tessera.js';

/** Shared by the SDK suites: what a relying party does around the login app. */

export const REDIRECT = 'http://127.0.0.1:9999/callback';

export const uid = () => Math.random().toString(36).slice(2, 10);

/** An authorization URL for a confidential client (state and nonce long enough for the server's checks). */
export function authorizeUrl(t: Running, client: OAuth2Client, scope: string, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    scope,
    state: `state-${uid()}`,
    nonce: `nonce-${uid()}`,
    ...extra,
  });
  return `${t.publicUrl}/oauth2/auth?${params.toString()}`;
}

export async function exchangeCode(t: Running, client: OAuth2Client, callback: URL): Promise<TokenResponse> {
  const code = callback.searchParams.get('code');
  expect(code, `a code in ${callback.href}`).to.be.a('string');
  const f = form({ grant_type: 'authorization_code', code: code ?? '', redirect_uri: REDIRECT });
  const res = await request<TokenResponse>(t.publicUrl, 'POST', '/oauth2/token', {
    body: f.body,
    headers: { ...f.headers, authorization: basic(client.client_id, client.client_secret ?? '') },
  });
  expect(res.status, res.text).to.equal(200);
  return res.body;
}

export async function clientCredentialsToken(t: Running, client: OAuth2Client, scope: string): Promise<string> {
  const f = form({ grant_type: 'client_credentials', scope });
  const res = await request<TokenResponse>(t.publicUrl, 'POST', '/oauth2/token', {
    body: f.body,
    headers: { ...f.headers, authorization: basic(client.client_id, client.client_secret ?? '') },
  });
  expect(res.status, res.text).to.equal(200);
  return res.body.access_token;
}

/** The payload of a JWT, unverified: the suites check what the server put in, not signatures. */
export function jwtClaims(jwt: string | undefined): Record<string, unknown> {
  const payload = (jwt ?? '').split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Awaits a rejection and checks that it is a TesseraError; returns it for further checks. */
export async function rejection(promise: Promise<unknown>): Promise<TesseraError> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(TesseraError);
    return err as TesseraError;
  }
  throw new Error('expected a TesseraError, got a success');
}

/** A fetch that remembers the X-Request-Id of the last answer, to compare with TesseraError.requestId. */
export function recordingFetch(): { fetch: typeof fetch; urls: string[]; lastRequestId: () => string | null } {
  const urls: string[] = [];
  let last: string | null = null;
  return {
    urls,
    lastRequestId: () => last,
    fetch: async (input, init) => {
      urls.push(String(input));
      const res = await fetch(input, init);
      last = res.headers.get('x-request-id');
      return res;
    },
  };
}
