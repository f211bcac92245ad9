import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { escapeHtml } from '../../login-consent-app/src/views/html.js';
import { registerRelyingParty, type RelyingParty, type Stack } from './support.js';

/**
 * A relying party served on 127.0.0.1 for the browser suites: `/start`
 * begins a flow with PKCE, state and nonce; `/callback` redeems the code with
 * openid-client (which validates the ID token) and shows the outcome as JSON
 * in `#result`, or the error in `#error`.
 */
export interface TestRp {
  readonly url: string;
  readonly rp: RelyingParty;
  close(): Promise<void>;
}

interface Pending {
  readonly verifier: string;
  readonly nonce: string;
}

const page = (body: string) => `<!doctype html><html lang="en"><title>Test RP</title><body>${body}</body></html>`;

export async function startTestRp(stack: Stack, extra: Record<string, unknown> = {}): Promise<TestRp> {
  const pending = new Map<string, Pending>();
  let rp: RelyingParty | undefined;
  const server: Server = createServer((req, res) => {
    handle(new URL(req.url ?? '/', url)).then(
      (html) => res.writeHead(html.status, html.headers).end(html.body),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/html' }).end(page(`<p id="error">${escapeHtml(String(err))}</p>`)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function handle(at: URL): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    if (!rp) throw new Error('not registered yet');
    if (at.pathname === '/start') {
      const state = oidc.randomState();
      const entry = { verifier: oidc.randomPKCECodeVerifier(), nonce: oidc.randomNonce() };
      pending.set(state, entry);
      const prompt = at.searchParams.get('prompt');
      const target = oidc.buildAuthorizationUrl(rp.config, {
        redirect_uri: rp.redirectUri,
        scope: at.searchParams.get('scope') ?? 'openid',
        state,
        nonce: entry.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(entry.verifier),
        code_challenge_method: 'S256',
        ...(prompt ? { prompt } : {}),
      });
      return { status: 302, headers: { location: target.href }, body: '' };
    }
    const error = at.searchParams.get('error');
    if (error) return { status: 200, headers: { 'content-type': 'text/html' }, body: page(`<h1>Not signed in</h1><p id="error">${escapeHtml(error)}</p>`) };
    const state = at.searchParams.get('state') ?? '';
    const entry = pending.get(state);
    if (!entry) throw new Error('unknown state');
    pending.delete(state);
    const tokens = await oidc.authorizationCodeGrant(rp.config, at, { pkceCodeVerifier: entry.verifier, expectedState: state, expectedNonce: entry.nonce, idTokenExpected: true });
    const result = { claims: tokens.claims(), scope: tokens.scope, access_token: tokens.access_token, refresh_token: tokens.refresh_token ?? null };
    return { status: 200, headers: { 'content-type': 'text/html' }, body: page(`<h1>Signed in</h1><pre id="result">${escapeHtml(JSON.stringify(result))}</pre>`) };
  }

  rp = await registerRelyingParty(stack, `${url}/callback`, extra);
  return { url, rp, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
