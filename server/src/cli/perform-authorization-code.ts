import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { UsageError } from './errors.js';
import { callApi, endpointFor } from './api.js';
import { clientCredentials, listOf } from './client-credentials.js';
import { keyValues, parseFormat, show, TOKEN_COLUMNS, type Row } from './format.js';
import type { PerformArgs } from './perform.js';

/*
 * `tessera perform authorization-code` (Hydra's `hydra perform
 * authorization-code`): a callback server on loopback (RFC 8252 §7.3),
 * the authorization URL printed to open in a browser, then the code
 * exchanged and the tokens printed. Always with PKCE S256 (RFC 9700 §2.1.1)
 * and a fresh `state` (RFC 6749 §10.12); a callback whose state does not
 * match is refused and the wait goes on. Messages go to stderr, the tokens
 * alone to stdout.
 */

const b64url = (bytes: Buffer) => bytes.toString('base64url');
const DEFAULT_PORT = 4446;
const WAIT_MS = 10 * 60_000;

interface Settings {
  /** The loopback address the callback server listens on. */
  readonly host: string;
  readonly port: number;
  readonly redirectUri: string;
  readonly callbackPath: string;
}

function settings(args: PerformArgs): Settings {
  const portFlag = args.values['port'];
  let port = DEFAULT_PORT;
  if (portFlag !== undefined) {
    port = Number(portFlag);
    if (typeof portFlag !== 'string' || !/^\d+$/.test(portFlag) || port < 1 || port > 65535) throw new UsageError('--port takes a whole number from 1 to 65535');
  }
  const redirect = args.values['redirect-uri'];
  const given = Array.isArray(redirect) ? redirect : typeof redirect === 'string' ? [redirect] : [];
  if (given.length > 1) throw new UsageError('perform authorization-code takes one --redirect-uri');
  if (given[0] === undefined) return { host: '127.0.0.1', port, redirectUri: `http://127.0.0.1:${port}/callback`, callbackPath: '/callback' };
  const url = URL.canParse(given[0]) ? new URL(given[0]) : undefined;
  if (!url || url.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new UsageError('--redirect-uri must be an http URL on loopback (127.0.0.1, [::1] or localhost): the callback server listens there');
  }
  return { host: url.hostname === '[::1]' ? '::1' : '127.0.0.1', port: Number(url.port || 80), redirectUri: url.href, callbackPath: url.pathname };
}

function authorizationUrl(endpoint: string, params: Record<string, string>): string {
  const url = new URL('oauth2/auth', endpoint.endsWith('/') ? endpoint : `${endpoint}/`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.href;
}

function page(res: ServerResponse, status: number, text: string): void {
  const body = `<!doctype html><meta charset="utf-8"><title>tessera</title><p>${text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)}</p>`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'" });
  res.end(body);
}

type Callback = { readonly code: string } | { readonly error: string };

/** Serves the callback until one with our state arrives; resolves with its code or error. */
function awaitCallback(server: Server, path: string, state: string): Promise<Callback> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no callback within ${WAIT_MS / 60_000} minutes`)), WAIT_MS);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method !== 'GET' || url.pathname !== path) return page(res, 404, 'Not the callback.');
      const q = url.searchParams;
      if (q.get('state') !== state) return page(res, 400, 'This callback does not carry the state this command sent; ignored.');
      clearTimeout(timer);
      const error = q.get('error');
      if (error !== null) {
        page(res, 200, `The authorization server answered: ${error}. You may close this window.`);
        resolve({ error: [error, q.get('error_description')].filter(Boolean).join(': ') });
        return;
      }
      page(res, 200, 'Logged in; the tokens are in your terminal. You may close this window.');
      resolve({ code: q.get('code') ?? '' });
    });
  });
}

export async function performAuthorizationCode(args: PerformArgs, out: (line: string) => void): Promise<number> {
  if (args.positionals.length > 0) throw new UsageError('perform authorization-code takes no arguments, only flags');
  const format = parseFormat(args.values['format']);
  const client = clientCredentials(args.values, 'perform authorization-code');
  const { host, port, redirectUri, callbackPath } = settings(args);
  const maxAge = args.values['max-age'];
  if (maxAge !== undefined && (typeof maxAge !== 'string' || !/^\d+$/.test(maxAge))) throw new UsageError('--max-age takes a whole number of seconds');
  const endpoint = endpointFor('public', args.endpoint);
  const scope = typeof args.values['scope'] === 'string' ? args.values['scope'] : 'openid offline_access';

  const state = b64url(randomBytes(24));
  const verifier = b64url(randomBytes(32));
  const params: Record<string, string> = {
    client_id: client.clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope,
    state,
    code_challenge: b64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
  };
  if (scope.split(' ').includes('openid')) params['nonce'] = b64url(randomBytes(16));
  const audience = listOf(args.values, 'audience');
  if (audience.length > 0) params['audience'] = audience.join(' ');
  if (typeof args.values['prompt'] === 'string') params['prompt'] = args.values['prompt'];
  if (typeof maxAge === 'string') params['max_age'] = maxAge;

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new UsageError(`cannot listen on ${host}:${port} for the callback (${err.code ?? err.message}); choose another --port`)));
    server.listen(port, host, resolve);
  });
  try {
    const waiting = awaitCallback(server, callbackPath, state);
    process.stderr.write(`Open this URL in a browser to log in:\n\n  ${authorizationUrl(endpoint, params)}\n\nWaiting for the callback on ${redirectUri} (Ctrl-C to stop)…\n`);
    const callback = await waiting;
    if ('error' in callback) {
      process.stderr.write(`error: authorization failed: ${callback.error}\n`);
      return 1;
    }
    const target = { api: 'public' as const, endpoint, authorization: client.authorization };
    const form = { ...client.form, grant_type: 'authorization_code', code: callback.code, redirect_uri: redirectUri, code_verifier: verifier };
    const tokens = await callApi(target, { method: 'POST', path: 'oauth2/token', form });
    show(format, tokens, () => keyValues(tokens as Row, TOKEN_COLUMNS, out), out);
    return 0;
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
