import { randomBytes } from 'node:crypto';
import { runFlow } from '../flows/index.js';
import { basicAuth, createHttpClient, FORM, parseJson, stringField } from '../lib/http.js';
import type { FlowParams } from '../load/spec.js';
import type { RunningTarget } from '../targets/target.js';

/*
 * Tokens made before a measured run, over HTTP, a few at a time, each batch
 * bounded in time: access tokens to introspect, refresh tokens to rotate.
 */

const CONCURRENCY = 8;
const MINT_TIMEOUT_MS = 120_000;

async function many(count: number, what: string, one: () => Promise<string>): Promise<string[]> {
  const out: string[] = [];
  const deadline = Date.now() + MINT_TIMEOUT_MS;
  const worker = async () => {
    while (out.length < count) {
      if (Date.now() > deadline) throw new Error(`minting ${count} ${what} took over ${MINT_TIMEOUT_MS} ms`);
      out.push(await one());
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return out.slice(0, count);
}

export function flowParams(t: RunningTarget, scope: string): FlowParams {
  return {
    flavor: t.kind === 'tessera' ? 'tessera' : 'oidc-provider',
    publicUrl: t.publicUrl,
    adminUrl: t.adminUrl,
    clientId: t.client.id,
    clientSecret: t.client.secret,
    redirectUri: t.client.redirectUri,
    scope,
  };
}

/** Look-alike tokens for the bare koa app, which checks nothing. */
function fakeTokens(count: number, prefix: string): string[] {
  return Array.from({ length: count }, () => `${prefix}${randomBytes(32).toString('base64url')}.${randomBytes(32).toString('base64url')}`);
}

/** `client`: whose tokens (Tessera's JWT clients for JWT access tokens); the target's client by default. */
export async function mintAccessTokens(t: RunningTarget, count: number, client = t.client): Promise<string[]> {
  if (t.kind === 'koa') return fakeTokens(count, 'ory_at_');
  const http = createHttpClient(CONCURRENCY);
  try {
    return await many(count, 'access tokens', async () => {
      const res = await http.request('POST', t.urls.token, {
        headers: { 'content-type': FORM, authorization: basicAuth(client.id, client.secret) },
        body: 'grant_type=client_credentials',
      });
      return stringField(parseJson(res, 'client_credentials'), 'access_token', 'client_credentials');
    });
  } finally {
    http.close();
  }
}

/**
 * Refresh tokens from complete code flows granted `openid offline_access`
 * (oidc-provider refuses authorization requests without openid), so both
 * servers also sign an RS256 ID token on each refresh.
 */
export async function mintRefreshTokens(t: RunningTarget, count: number): Promise<string[]> {
  if (t.kind === 'koa') return fakeTokens(count, 'ory_rt_');
  const http = createHttpClient(CONCURRENCY * 2);
  const params = flowParams(t, 'openid offline_access');
  try {
    return await many(count, 'refresh tokens', async () => {
      const tokens = await runFlow(http, params);
      if (!tokens.refreshToken) throw new Error(`${t.name}: the code exchange issued no refresh token`);
      return tokens.refreshToken;
    });
  } finally {
    http.close();
  }
}
