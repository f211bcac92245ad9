import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera, type Running } from '../helpers/tessera.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { FLOW_URLS } from '../helpers/flow.js';
import { browserSkipReason, launchChromium } from '../login-consent-app/browser.js';
import { authorize, codeParams } from './tokens-helpers.js';

/*
 * Issue 14, CORS in a real browser: a single-page app served from another
 * loopback origin than Tessera's calls the token endpoint (a public client's
 * PKCE code exchange) and userinfo with `fetch`, in Chromium with JavaScript
 * on. From http://127.0.0.1:<page port> (allowed by the configuration) and
 * from http://127.0.0.1:<other port> (allowed by the client's
 * allowed_cors_origins) it reads both answers; the same page from
 * http://localhost:<page port> (not allowed) is blocked by the browser. The code itself is obtained over HTTP by the test (the login
 * and consent are not what this suite is about).
 */

const REDIRECT = 'http://127.0.0.1:9999/callback';

interface PageServer {
  readonly port: number;
  close(): Promise<void>;
}

/** The SPA's host: an empty page on every path; the test's scripts run in it. */
async function startPageServer(): Promise<PageServer> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html lang="en"><title>SPA</title><body>single-page app</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface PageOutcome {
  readonly token?: { status: number; body: Record<string, unknown> };
  readonly userinfo?: { status: number; body: Record<string, unknown> };
  readonly failed?: string;
}

/** In the page: the token request, then userinfo with the access token (or with `bearer` when given). */
function exchangeInPage(page: Page, args: { tokenUrl: string; userinfoUrl: string; form: Record<string, string>; bearer?: string }): Promise<PageOutcome> {
  return page.evaluate(async ({ tokenUrl, userinfoUrl, form, bearer }) => {
    try {
      let accessToken = bearer;
      let token: { status: number; body: Record<string, unknown> } | undefined;
      if (accessToken === undefined) {
        const res = await fetch(tokenUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
        token = { status: res.status, body: (await res.json()) as Record<string, unknown> };
        accessToken = String(token.body['access_token']);
      }
      const info = await fetch(userinfoUrl, { headers: { Authorization: `Bearer ${accessToken}` } });
      return { token, userinfo: { status: info.status, body: (await info.json()) as Record<string, unknown> } };
    } catch (err) {
      return { failed: String(err) };
    }
  }, args);
}

describeEachBackend('CORS in Chromium: a single-page app on another origin', (backend) => {
  // The page's port is known only once its server runs, and the configuration must name it: this hook runs
  // before useTessera's (mocha runs hooks in order), and startTessera reads the overrides when it starts.
  const cors = { enabled: true, allowed_origins: [] as string[] };
  let pages: PageServer;
  /** A second page server whose origin only the client lists (allowed_cors_origins), not the configuration. */
  let clientPages: PageServer;
  before(async function () {
    if (browserSkipReason) {
      console.warn(`\n  ⚠ skipping: ${browserSkipReason}\n`);
      this.skip();
    }
    pages = await startPageServer();
    clientPages = await startPageServer();
    cors.allowed_origins.push(`http://127.0.0.1:${pages.port}`);
  });
  const harness = useTessera(backend, { ...FLOW_URLS, serve: { public: { cors } } });
  let t: Running;
  let spa: CreatedClient;
  let browser: Browser;
  let page: Page;

  before(async function () {
    this.timeout(60_000);
    t = harness.t;
    spa = await createClient(t.adminUrl, {
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      redirect_uris: [REDIRECT],
      scope: 'openid',
      allowed_cors_origins: [`http://127.0.0.1:${clientPages.port}`],
    });
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
  });
  after(async () => {
    await browser?.close();
    await pages?.close();
    await clientPages?.close();
  });

  const urls = () => ({ tokenUrl: `${t.publicUrl}/oauth2/token`, userinfoUrl: `${t.publicUrl}/userinfo` });
  const codeForm = async () => ({ ...codeParams(await authorize(t, spa.client_id, { scope: 'openid', redirectUri: REDIRECT })), client_id: spa.client_id });

  it('from the allowed origin, the page reads the token answer and userinfo', async function () {
    this.timeout(60_000);
    await page.goto(`http://127.0.0.1:${pages.port}/app`);
    const outcome = await exchangeInPage(page, { ...urls(), form: await codeForm() });
    expect(outcome.failed, outcome.failed).to.equal(undefined);
    expect(outcome.token?.status, JSON.stringify(outcome.token)).to.equal(200);
    expect(outcome.token?.body['access_token']).to.match(/^ory_at_/);
    expect(outcome.userinfo?.status).to.equal(200);
    expect(outcome.userinfo?.body).to.include({ sub: 'user-1' });
  });

  it('from an origin only the client lists (allowed_cors_origins), the page reads both answers too', async function () {
    this.timeout(60_000);
    await page.goto(`http://127.0.0.1:${clientPages.port}/app`);
    const outcome = await exchangeInPage(page, { ...urls(), form: await codeForm() });
    expect(outcome.failed, outcome.failed).to.equal(undefined);
    expect(outcome.token?.status, JSON.stringify(outcome.token)).to.equal(200);
    expect(outcome.userinfo?.status).to.equal(200);
    expect(outcome.userinfo?.body).to.include({ sub: 'user-1' });
  });

  it('the same page from a non-allowed origin (localhost) is blocked at both endpoints', async function () {
    this.timeout(60_000);
    // A token that works, so that only the origin differs.
    await page.goto(`http://127.0.0.1:${pages.port}/app`);
    const allowed = await exchangeInPage(page, { ...urls(), form: await codeForm() });
    const bearer = String(allowed.token?.body['access_token']);

    await page.goto(`http://localhost:${pages.port}/app`);
    expect(new URL(page.url()).origin).to.equal(`http://localhost:${pages.port}`);
    const token = await exchangeInPage(page, { ...urls(), form: await codeForm() });
    expect(token.failed, 'the token answer is withheld from the page').to.match(/TypeError: Failed to fetch/);
    const userinfo = await exchangeInPage(page, { ...urls(), form: {}, bearer });
    expect(userinfo.failed, 'the userinfo answer is withheld from the page').to.match(/TypeError: Failed to fetch/);
  });
});
