import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend, Database } from '../helpers/databases.js';
import { startServe, waitUntilReady, type Served } from '../helpers/cli.js';
import { TEST_SECRET, migrated } from '../helpers/tessera.js';
import { freePort } from '../helpers/ports.js';
import { request, type Answer } from '../helpers/http.js';
import { basic, form, type CreatedClient } from '../helpers/clients.js';
import { CONSENT_URL, LOGIN_URL } from '../helpers/flow.js';
import type { Browser } from '../helpers/browser.js';

/*
 * Two real `tessera serve all` processes (the compiled CLI) on one database,
 * as behind a load balancer: one issuer (A's public URL) for both, separate
 * ports. Nothing that matters may live in either process (DESIGN.md
 * § Storage), so any step of a flow may land on either one.
 */

export const REDIRECT = 'http://127.0.0.1:9999/callback';
const STOP_GRACE_MS = 5_000;

export interface Node {
  readonly name: 'A' | 'B';
  readonly publicUrl: string;
  readonly adminUrl: string;
  readonly served: Served;
}

export interface Pair {
  readonly a: Node;
  readonly b: Node;
  readonly db: Database;
  /** Both processes' `urls.self.issuer`: A's public URL. */
  readonly issuer: string;
  /** A then B for even then odd `i`: how the races spread their requests. */
  at(i: number): Node;
  /** Both processes' output, for assertion messages. */
  logs(): string;
  /** SIGTERM, SIGKILL after a grace period, then the database is dropped. Safe to call twice. */
  stop(): Promise<void>;
}

async function distinctPorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

const alive = (s: Served): boolean => s.child.exitCode === null && s.child.signalCode === null;

async function stopServed(s: Served): Promise<void> {
  if (!alive(s)) return;
  s.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), STOP_GRACE_MS)));
  const outcome = await Promise.race([s.exited, late]).finally(() => clearTimeout(timer));
  if (outcome === 'late' && alive(s)) {
    s.child.kill('SIGKILL');
    await s.exited;
  }
}

/**
 * A fresh, migrated database and two processes started in the same tick on
 * it (with `env` added to their environment), so both find the ID-token key table empty and race to fill it.
 * Whatever happens, nothing is left running: a failed start stops what it
 * started, and a process exit hook SIGKILLs survivors.
 */
export async function startPair(backend: Backend, env: Readonly<Record<string, string>> = {}): Promise<Pair> {
  const db = await backend.create();
  const dirs: string[] = [];
  const children: Served[] = [];
  const killAll = () => children.filter(alive).forEach((s) => s.child.kill('SIGKILL'));
  process.once('exit', killAll);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(children.map(stopServed));
    process.removeListener('exit', killAll);
    await db.drop().catch(() => undefined);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  try {
    await migrated(db.dsn);
    const [pa, aa, pb, ab] = (await distinctPorts(4)) as [number, number, number, number];
    const issuer = `http://127.0.0.1:${pa}`;
    const spawnNode = (name: 'A' | 'B', publicPort: number, adminPort: number): Node => {
      const cwd = mkdtempSync(join(tmpdir(), `tessera-scale-${name}-`));
      dirs.push(cwd);
      const served = startServe(['all'], {
        cwd,
        env: {
          DSN: db.dsn,
          SECRETS_SYSTEM: TEST_SECRET,
          URLS_SELF_ISSUER: issuer,
          URLS_LOGIN: LOGIN_URL,
          URLS_CONSENT: CONSENT_URL,
          SERVE_PUBLIC_HOST: '127.0.0.1',
          SERVE_PUBLIC_PORT: String(publicPort),
          SERVE_ADMIN_PORT: String(adminPort),
          LOG_LEVEL: 'warn',
          ...env,
        },
      });
      children.push(served);
      return { name, served, publicUrl: `http://127.0.0.1:${publicPort}`, adminUrl: `http://127.0.0.1:${adminPort}` };
    };
    // Same tick: neither can see the other's key set before it looks.
    const a = spawnNode('A', pa, aa);
    const b = spawnNode('B', pb, ab);
    await Promise.all([a, b].flatMap((n) => [waitUntilReady(`${n.publicUrl}/health/ready`, n.served), waitUntilReady(`${n.adminUrl}/health/ready`, n.served)]));
    return {
      a,
      b,
      db,
      issuer,
      at: (i) => (i % 2 === 0 ? a : b),
      logs: () => `--- A ---\n${a.served.output()}\n--- B ---\n${b.served.output()}`,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The same path and query on `node`'s public port: the load balancer sent the browser there. */
export function onNode(url: string, node: Node): string {
  const parsed = new URL(url);
  const target = new URL(node.publicUrl);
  parsed.protocol = target.protocol;
  parsed.host = target.host;
  return parsed.href;
}

/** An authorization request as a client builds it (RFC 6749 §4.1.1, RFC 7636 S256), with what the client keeps. */
export interface Authorization {
  readonly url: string;
  readonly state: string;
  readonly verifier: string;
  readonly nonce: string;
}

export function authorization(node: Node, clientId: string): Authorization {
  const verifier = randomBytes(32).toString('base64url');
  const state = `state-${randomBytes(6).toString('hex')}`;
  const nonce = `nonce-${randomBytes(6).toString('hex')}`;
  const query = new URLSearchParams({
    client_id: clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid offline_access',
    state,
    nonce,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  return { url: `${node.publicUrl}/oauth2/auth?${query.toString()}`, state, verifier, nonce };
}

/** A GET in `browser` that must be a 302 to `base` carrying `name`; returns that parameter. */
export async function hop(browser: Browser, url: string, base: string, name: string): Promise<string> {
  const res = await browser.get(url);
  expect(res.status, `${url} → ${res.status} ${res.location ?? res.body}`).to.equal(302);
  const location = new URL(res.location ?? '');
  expect(`${location.origin}${location.pathname}`, res.location).to.equal(base);
  const value = location.searchParams.get(name);
  expect(value, `${name} in ${res.location}`).to.be.a('string').and.not.equal('');
  return value ?? '';
}

export interface LoginRequest {
  readonly challenge: string;
  readonly client: { readonly client_id: string };
  readonly request_url: string;
  readonly requested_scope: string[];
  readonly skip: boolean;
}

export interface ConsentRequest {
  readonly challenge: string;
  readonly client: { readonly client_id: string };
  readonly subject: string;
  readonly requested_scope: string[];
  readonly requested_access_token_audience: string[];
}

export interface RedirectTo {
  readonly redirect_to: string;
}

/** The login and consent apps' calls (Hydra v2 admin paths) against one node. */
export function adminOf(node: Node) {
  const path = (kind: 'login' | 'consent', action: '' | '/accept', challenge: string) =>
    `/admin/oauth2/auth/requests/${kind}${action}?${kind}_challenge=${encodeURIComponent(challenge)}`;
  return {
    getLogin: (challenge: string) => request<LoginRequest>(node.adminUrl, 'GET', path('login', '', challenge)),
    acceptLogin: (challenge: string, body: unknown) => request<RedirectTo>(node.adminUrl, 'PUT', path('login', '/accept', challenge), { json: body }),
    getConsent: (challenge: string) => request<ConsentRequest>(node.adminUrl, 'GET', path('consent', '', challenge)),
    acceptConsent: (challenge: string, body: unknown) => request<RedirectTo>(node.adminUrl, 'PUT', path('consent', '/accept', challenge), { json: body }),
  };
}

/** A 200 `{redirect_to}` answer's target. */
export function redirectTo(res: Answer<RedirectTo>): string {
  expect(res.status, res.text).to.equal(200);
  expect(res.body.redirect_to, res.text).to.be.a('string');
  return res.body.redirect_to;
}

export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: string;
  readonly expires_in: number;
  readonly scope: string;
  readonly refresh_token?: string;
  readonly id_token?: string;
}

export interface ErrorBody {
  readonly error: string;
  readonly error_description: string;
}

function tokenRequest(node: Node, client: CreatedClient, params: Record<string, string>): Promise<Answer<TokenResponse | ErrorBody>> {
  const f = form(params);
  return request<TokenResponse | ErrorBody>(node.publicUrl, 'POST', '/oauth2/token', {
    body: f.body,
    headers: { ...f.headers, authorization: basic(client.client_id, client.client_secret) },
  });
}

/** RFC 6749 §4.1.3 with PKCE and client_secret_basic. */
export const exchange = (node: Node, client: CreatedClient, code: string, verifier: string) =>
  tokenRequest(node, client, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier });

/** RFC 6749 §6. */
export const refresh = (node: Node, client: CreatedClient, refreshToken: string) =>
  tokenRequest(node, client, { grant_type: 'refresh_token', refresh_token: refreshToken });

/** A token response's body, once it is known to be a 200. */
export function tokens(res: Answer<TokenResponse | ErrorBody>): TokenResponse {
  expect(res.status, res.text).to.equal(200);
  return res.body as TokenResponse;
}

export interface Introspection {
  readonly active: boolean;
  readonly sub?: string;
  readonly client_id?: string;
  readonly scope?: string;
  readonly iss?: string;
  readonly token_use?: string;
}

/** RFC 7662 on the admin API. */
export async function introspect(node: Node, token: string): Promise<Introspection> {
  const res = await request<Introspection>(node.adminUrl, 'POST', '/admin/oauth2/introspect', form({ token }));
  expect(res.status, res.text).to.equal(200);
  return res.body;
}

/** Authorize on A, login and consent accepted, the code back at the client: the starting point of the races. */
export async function codeFor(pair: Pair, client: CreatedClient, browser: Browser, subject = 'racer'): Promise<{ code: string; authz: Authorization }> {
  const authz = authorization(pair.a, client.client_id);
  const admin = adminOf(pair.a);
  const loginChallenge = await hop(browser, authz.url, LOGIN_URL, 'login_challenge');
  const consentChallenge = await hop(browser, redirectTo(await admin.acceptLogin(loginChallenge, { subject })), CONSENT_URL, 'consent_challenge');
  const verifierUrl = redirectTo(await admin.acceptConsent(consentChallenge, { grant_scope: ['openid', 'offline_access'] }));
  return { code: await hop(browser, verifierUrl, REDIRECT, 'code'), authz };
}

/** An answer, or the network error that stood in for one (status 0), so one failure does not hide the other 49. */
export interface Outcome<T> {
  readonly status: number;
  readonly body: T | undefined;
  readonly text: string;
}

/** `n` requests started in the same tick; every outcome is kept. */
export async function race<T>(n: number, send: (i: number) => Promise<{ status: number; body: T; text: string }>): Promise<Array<Outcome<T>>> {
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      send(i).then(
        (res): Outcome<T> => ({ status: res.status, body: res.body, text: res.text }),
        (err: unknown): Outcome<T> => ({ status: 0, body: undefined, text: err instanceof Error ? err.message : String(err) }),
      ),
    ),
  );
}

/** The one 200 token response of a race. */
export function winningTokens(outcomes: ReadonlyArray<Outcome<TokenResponse | ErrorBody>>): TokenResponse {
  const won = outcomes.filter((o) => o.status === 200);
  expect(won, 'exactly one winner').to.have.length(1);
  const body = won[0]?.body;
  expect(body, won[0]?.text).to.have.property('access_token');
  return body as TokenResponse;
}

/** `{ "200": 1, "400": 49 }`: how a race ended, by status. */
export function byStatus(outcomes: ReadonlyArray<{ status: number }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { status } of outcomes) counts[String(status)] = (counts[String(status)] ?? 0) + 1;
  return counts;
}

/** The `error` codes of the outcomes that are not 200, counted. */
export function byError(outcomes: ReadonlyArray<Outcome<unknown>>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    if (o.status === 200) continue;
    const error = typeof o.body === 'object' && o.body !== null && 'error' in o.body ? String(o.body.error) : `(${o.text.slice(0, 80)})`;
    counts[error] = (counts[error] ?? 0) + 1;
  }
  return counts;
}
