import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Browser as Chromium } from 'playwright-core';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera } from '../helpers/tessera.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { Browser } from '../helpers/browser.js';
import { FLOW_URLS } from '../helpers/flow.js';
import { browserSkipReason, launchChromium } from '../login-consent-app/browser.js';
import { REDIRECT, adminApi, authorization, redirectTo, toConsent, toLogin } from './login-consent-support.js';

/*
 * response_mode=form_post in Chromium (OAuth 2.0 Form Post Response Mode §2):
 * with JavaScript on, the page's own script (allowed by its CSP hash) submits
 * the form by itself; with JavaScript off, the visible button does. Either
 * way the client's redirect URI receives a form POST with code, state and iss.
 */

interface Received {
  readonly method: string;
  readonly contentType: string | undefined;
  readonly body: string;
}

/** The client's redirect URI on a loopback port: records every POST. */
async function startClient(): Promise<{ url: string; posts: Received[]; close(): Promise<void> }> {
  const posts: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.method === 'POST') posts.push({ method: req.method, contentType: req.headers['content-type'], body });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('received');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`,
    posts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describeEachBackend('response_mode=form_post in Chromium', (backend) => {
  before(function () {
    if (browserSkipReason) {
      console.warn(`\n  ⚠ skipping: ${browserSkipReason}\n`);
      this.skip();
    }
  });
  const h = useTessera(backend, FLOW_URLS);
  let client: CreatedClient;
  let rp: Awaited<ReturnType<typeof startClient>>;
  let chromium_: Chromium;
  before(async function () {
    this.timeout(60_000);
    // Registered on port 9999; RFC 8252 §7.3 lets the request name the receiver's port.
    client = await createClient(h.t.adminUrl, { redirect_uris: [REDIRECT], grant_types: ['authorization_code'], scope: 'openid' });
    rp = await startClient();
    chromium_ = await launchChromium();
  });
  after(async () => {
    await chromium_?.close();
    await rp?.close();
  });

  /** Login and consent over HTTP; returns the consent_verifier URL and the browser cookies it needs. */
  async function finalStep() {
    const api = adminApi(h.t);
    const browser = new Browser();
    const authz = authorization(h.t, client.client_id, { response_mode: 'form_post', redirect_uri: rp.url, scope: 'openid' });
    const consent = await toConsent(browser, redirectTo(await api.acceptLogin(await toLogin(browser, authz.url), { subject: 'alice' })));
    const url = redirectTo(await api.acceptConsent(consent, { grant_scope: ['openid'] }));
    const cookies = [...browser.cookies].map(([name, value]) => ({ name, value, url: h.t.publicUrl }));
    return { url, cookies, state: authz.state };
  }

  async function waitForPost(count: number): Promise<Received> {
    const deadline = Date.now() + 10_000;
    while (rp.posts.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const post = rp.posts[count - 1];
    expect(post, 'the form POST at the redirect URI').to.not.equal(undefined);
    return post as Received;
  }

  function expectResponse(post: Received, state: string): void {
    expect(post.contentType).to.equal('application/x-www-form-urlencoded');
    const params = new URLSearchParams(post.body);
    expect(params.get('code')).to.match(/^ory_ac_/);
    expect(params.get('state')).to.equal(state);
    expect(params.get('iss')).to.equal(h.t.config.urls.self.issuer);
  }

  for (const javaScriptEnabled of [true, false]) {
    it(javaScriptEnabled ? 'submits itself: the CSP lets its script run, and nothing else is reported' : 'with JavaScript off, the visible Continue button submits it', async () => {
      const { url, cookies, state } = await finalStep();
      const context = await chromium_.newContext({ javaScriptEnabled });
      try {
        await context.addCookies(cookies);
        const page = await context.newPage();
        const violations: string[] = [];
        page.on('console', (msg) => {
          if (/Content.Security.Policy/i.test(msg.text())) violations.push(msg.text());
        });
        const before = rp.posts.length;
        await page.goto(url);
        if (!javaScriptEnabled) {
          expect(rp.posts.length, 'nothing is sent before the button is pressed').to.equal(before);
          await page.getByRole('button', { name: 'Continue' }).click();
        }
        expectResponse(await waitForPost(before + 1), state);
        expect(violations).to.deep.equal([]);
      } finally {
        await context.close();
      }
    });
  }
});
