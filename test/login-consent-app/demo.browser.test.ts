import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { DEMO_USER } from '../../login-consent-app/src/server.js';
import { browserSkipReason, openBrowser, screenshot, type Browser } from './browser.js';
import { startStack, type Stack } from './support.js';

describe('login-consent-app --dev demo relying party in Chromium (no JavaScript)', function () {
  this.timeout(60_000);
  let stack: Stack;
  let browser: Browser;
  let page: Page;

  before(async function () {
    if (browserSkipReason) {
      console.warn(`\n  ⚠ skipping: ${browserSkipReason}\n`);
      this.skip();
    }
    stack = await startStack({ dev: true });
    browser = await openBrowser();
    page = browser.page;
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const json = async (selector: string) => JSON.parse((await page.textContent(`${selector} pre`)) ?? 'null') as Record<string, unknown>;

  it('signs in with the seeded user through login and consent, and shows tokens, ID token and userinfo', async () => {
    await page.goto(`${stack.appUrl}/demo`);
    await page.click('text=Sign in with Tessera');
    await page.waitForURL(`${stack.appUrl}/login?**`);
    await page.fill('#email', DEMO_USER.email);
    await page.fill('#password', DEMO_USER.password);
    await page.check('#remember'); // a Tessera session, for the logout test below to end
    await page.click('button[value="login"]');
    await page.waitForURL(`${stack.appUrl}/consent?**`);
    await page.click('button[value="allow"]');
    await page.waitForURL(`${stack.appUrl}/demo`);
    expect(await page.textContent('#access-token')).to.match(/^ory_at_/);
    expect(await page.textContent('#refresh-token')).to.match(/^ory_rt_/);
    const decoded = await json('#id-token-claims');
    expect(decoded['payload']).to.include({ email: DEMO_USER.email, name: DEMO_USER.name, preferred_username: DEMO_USER.username, iss: stack.tessera.publicUrl });
    expect(await json('#userinfo')).to.include({ email: DEMO_USER.email, email_verified: true });
    await screenshot(page, 'demo');
  });

  it('refreshes, introspects and revokes with the buttons', async () => {
    const before = await page.textContent('#access-token');
    await page.click('button:has-text("Refresh tokens")');
    expect(await page.textContent('#demo-notice')).to.include('Refreshed');
    expect(await page.textContent('#access-token')).not.to.equal(before);

    await page.click('button:has-text("Introspect access token")');
    expect(await json('#introspection')).to.include({ active: true, client_id: 'tessera-demo' });

    await page.click('button:has-text("Revoke access token")');
    expect(await page.textContent('#demo-notice')).to.include('Revoked the access token');
    expect(await json('#introspection')).to.deep.equal({ active: false });
  });

  it('signs out everywhere through the logout page and comes back to the demo', async () => {
    await page.click('button:has-text("Sign out everywhere")');
    await page.waitForURL(`${stack.appUrl}/logout?**`);
    expect(await page.textContent('main')).to.include('Tessera demo app asks to sign you out');
    await page.click('button[value="logout"]');
    await page.waitForURL(`${stack.appUrl}/demo?state=**`);
    expect(await page.textContent('#demo-notice')).to.equal('You are signed out of Tessera.');
    await page.click('text=Sign in with Tessera');
    await page.waitForURL(`${stack.appUrl}/login?**`);
  });
});
