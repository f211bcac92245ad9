import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import * as oidc from 'openid-client';
import { TesseraAdmin, type OAuth2Client } from '@tessera/sdk';
import { startApp, type RunningApp } from '../../login-consent-app/src/server.js';
import { DEFAULT_THROTTLE, type ThrottlePolicy } from '../../login-consent-app/src/users/throttle.js';
import type { User } from '../../login-consent-app/src/users/user.js';
import type { ConsentOptions } from '../../login-consent-app/src/config.js';
import { sqliteBackend, type Database } from '../helpers/databases.js';
import { freePort } from '../helpers/ports.js';
import { startTessera, type Running } from '../helpers/tessera.js';

/*
 * Tessera (in this process, on SQLite) and the login-consent app (in this
 * process, its own SQLite file) wired to each other on 127.0.0.1, as
 * `npm start` wires them, plus what a relying party does around them.
 */

export const ALICE = { email: 'alice@example.com', password: 'correct horse battery', name: 'Alice Liddell', username: 'alice' } as const;

export interface Stack {
  readonly tessera: Running;
  readonly app: RunningApp;
  readonly appUrl: string;
  readonly admin: TesseraAdmin;
  readonly alice: User;
  /** What the app logged (warnings and errors), for assertions and for debugging a failure. */
  readonly logged: string[];
  stop(): Promise<void>;
}

export interface StackOptions {
  readonly throttle?: ThrottlePolicy;
  readonly dev?: boolean;
  /** Protect Tessera's admin API with this bearer token (serve.admin.auth.tokens); the app and `admin` send it. */
  readonly adminToken?: string;
  /** Operator scope texts and first-party clients (SCOPE_DESCRIPTIONS_FILE, FIRST_PARTY_CLIENT_IDS). */
  readonly consent?: ConsentOptions;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const db: Database = await sqliteBackend.create();
  const dir = mkdtempSync(join(tmpdir(), 'login-app-test-'));
  const appPort = await freePort();
  const appUrl = `http://127.0.0.1:${appPort}`;
  const guarded = options.adminToken === undefined ? {} : { serve: { admin: { auth: { tokens: [createHash('sha256').update(options.adminToken).digest('hex')] } } } };
  const urls = {
    login: `${appUrl}/login`,
    consent: `${appUrl}/consent`,
    logout: `${appUrl}/logout`,
    device: { verification: `${appUrl}/device`, success: `${appUrl}/device/success` },
  };
  // A 1 s polling interval: the device-flow suites poll without waiting 5 s each time.
  const tessera = await startTessera(db, { urls, oauth2: { device_authorization: { token_polling_interval: '1s' } }, ...guarded });
  const logged: string[] = [];
  const app = await startApp(
    {
      port: appPort,
      host: '127.0.0.1',
      dev: options.dev ?? false,
      adminUrl: tessera.adminUrl,
      adminToken: options.adminToken,
      publicUrl: tessera.publicUrl,
      appUrl,
      dsn: `sqlite://${join(dir, 'app.sqlite')}`,
      cookieSecret: 'test-cookie-secret-that-is-long-enough-0123456789',
      trustProxy: false,
      throttle: options.throttle ?? DEFAULT_THROTTLE,
      consent: options.consent,
    },
    (level, message, fields) => logged.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`),
  );
  const alice = await app.users.add({ ...ALICE, emailVerified: true });
  return {
    tessera,
    app,
    appUrl,
    admin: new TesseraAdmin({ baseUrl: tessera.adminUrl, token: options.adminToken }),
    alice,
    logged,
    async stop() {
      await app.close();
      await tessera.stop();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RelyingParty {
  readonly client: OAuth2Client;
  readonly config: oidc.Configuration;
  readonly redirectUri: string;
}

/** Registers a confidential client through the SDK and discovers Tessera with openid-client. */
export async function registerRelyingParty(stack: Stack, redirectUri: string, extra: Record<string, unknown> = {}): Promise<RelyingParty> {
  const client = await stack.admin.createClient({
    client_name: 'Test RP',
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [`${new URL(redirectUri).origin}/signed-out`],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'openid offline_access email profile',
    ...extra,
  });
  const config = await oidc.discovery(new URL(stack.tessera.publicUrl), client.client_id, undefined, oidc.ClientSecretBasic(client.client_secret ?? ''), {
    execute: [oidc.allowInsecureRequests],
  });
  return { client, config, redirectUri };
}

export interface Authorization {
  readonly url: string;
  readonly checks: { pkceCodeVerifier: string; expectedState: string; expectedNonce: string };
}

/** An authorization URL with PKCE (S256), state and nonce, as a careful relying party builds it. */
export async function authorization(rp: RelyingParty, scope: string, extra: Record<string, string> = {}): Promise<Authorization> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(rp.config, {
    redirect_uri: rp.redirectUri,
    scope,
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  });
  return { url: url.href, checks: { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce } };
}

/** Redeems the code of a callback URL; validates state, nonce and the ID token as openid-client does. */
export async function redeem(rp: RelyingParty, callback: string, auth: Authorization) {
  const tokens = await oidc.authorizationCodeGrant(rp.config, new URL(callback), { ...auth.checks, idTokenExpected: true });
  const claims: Record<string, unknown> = tokens.claims() ?? {};
  return { tokens, claims };
}

/** The hidden CSRF token of the page's form. */
export function csrfOf(page: string): string {
  const token = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
  expect(token, 'a CSRF token in the page').to.be.a('string');
  return token ?? '';
}

/** What a browser would show in a header check: every answer needs these. */
export function expectSecurityHeaders(headers: Headers, what: string): void {
  const csp = headers.get('content-security-policy') ?? '';
  expect(csp, what).to.include("default-src 'none'").and.include("frame-ancestors 'none'").and.not.include('unsafe-inline');
  expect(csp, what).not.to.include('script-src');
  expect(headers.get('x-frame-options'), what).to.equal('DENY');
  expect(headers.get('referrer-policy'), what).to.equal('no-referrer');
  expect(headers.get('cache-control'), what).to.equal('no-store');
  expect(headers.get('x-content-type-options'), what).to.equal('nosniff');
}
