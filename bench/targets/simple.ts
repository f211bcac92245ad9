import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startChild } from '../lib/children.js';
import { freePort } from '../lib/ports.js';
import { waitUntilReady } from '../lib/wait.js';
import { REDIRECT_URI, type RunningTarget, type TargetDef } from './target.js';

/** A bench server of ours (servers/*.ts), run by node + tsx, in production mode. */
async function startServer(name: string, kind: 'oidc-provider' | 'koa', script: string): Promise<RunningTarget> {
  const port = await freePort();
  const secret = randomBytes(32).toString('base64url');
  const child = startChild(name, process.execPath, ['--import', 'tsx', fileURLToPath(new URL(`../servers/${script}`, import.meta.url)), String(port)], {
    env: { ...process.env, NODE_ENV: 'production', BENCH_CLIENT_SECRET: secret },
  });
  const ended = await waitUntilReady(child, async () => child.stdout().includes(`listening ${port}`));
  if (ended) throw new Error(`${name} exited (${ended.exited}): ${child.stderr().slice(-500)}`);
  const base = `http://127.0.0.1:${port}`;
  const op = kind === 'oidc-provider';
  return {
    name,
    kind,
    pids: [child.pid],
    publicUrl: base,
    adminUrl: undefined,
    // The koa app answers any path: it gets Tessera's paths, so requests are byte-for-byte alike.
    urls: op
      ? { token: `${base}/token`, introspect: `${base}/token/introspection`, discovery: `${base}/.well-known/openid-configuration`, jwks: `${base}/jwks`, authorize: `${base}/auth` }
      : { token: `${base}/oauth2/token`, introspect: `${base}/admin/oauth2/introspect`, discovery: `${base}/.well-known/openid-configuration`, jwks: `${base}/.well-known/jwks.json`, authorize: `${base}/oauth2/auth` },
    introspectionAuth: op,
    client: { id: 'bench', secret, redirectUri: REDIRECT_URI },
    stop: () => child.stop(),
  };
}

export const oidcProviderTarget: TargetDef = {
  name: 'oidc-provider',
  kind: 'oidc-provider',
  start: () => startServer('oidc-provider', 'oidc-provider', 'oidc-provider.ts'),
};

export const koaTarget: TargetDef = {
  name: 'bare koa',
  kind: 'koa',
  start: () => startServer('bare koa', 'koa', 'koa.ts'),
};
