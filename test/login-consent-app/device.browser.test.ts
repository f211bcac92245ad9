import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import { browserSkipReason, openBrowser, screenshot, type Browser } from './browser.js';
import { ALICE, startStack, type Stack } from './support.js';
import { deviceAuth, poll, DEVICE_GRANT, type DeviceAuthorization, type TokenAnswer } from '../e2e/device-support.js';
import type { CreatedClient } from '../helpers/clients.js';

/*
 * Issue 13, item 6: the login app's device pages in Chromium (JavaScript
 * off), each outcome checked on the polling side: a code typed by hand, a
 * code pre-filled from verification_uri_complete, a wrong code, and a
 * denied consent.
 */

describe('login-consent-app device pages in Chromium', function () {
  this.timeout(60_000);
  let stack: Stack;
  let tv: CreatedClient;
  let browser: Browser;
  let page: Page;

  before(async function () {
    if (browserSkipReason) {
      console.warn(`\n  ⚠ skipping: ${browserSkipReason}\n`);
      this.skip();
    }
    stack = await startStack();
    const created = await stack.admin.createClient({
      client_name: 'Living-room TV',
      grant_types: [DEVICE_GRANT, 'refresh_token'],
      token_endpoint_auth_method: 'none',
      scope: 'openid offline_access email',
    });
    tv = { ...created, client_id: created.client_id ?? '', client_secret: '' };
  });
  after(async () => {
    await stack?.stop();
  });
  beforeEach(async () => {
    browser = await openBrowser();
    page = browser.page;
  });
  afterEach(async () => browser?.close());

  const t = () => ({ publicUrl: stack.tessera.publicUrl, adminUrl: stack.tessera.adminUrl });
  const start = async (): Promise<DeviceAuthorization> => {
    const res = await deviceAuth(t(), tv, { scope: 'openid offline_access email' });
    expect(res.status, res.text).to.equal(200);
    expect(res.body.verification_uri).to.equal(`${stack.appUrl}/device`);
    return res.body;
  };
  /** Polls as a device does (1 s interval here) until the answer is no longer authorization_pending. */
  async function pollUntilDone(deviceCode: string): Promise<TokenAnswer> {
    for (let i = 0; i < 20; i++) {
      const res = await poll(t(), tv, deviceCode);
      if (res.body.error !== 'authorization_pending') return res.body;
      await sleep(1050);
    }
    throw new Error('still pending');
  }

  async function signInAndReachConsent(): Promise<void> {
    await page.waitForURL(`${stack.appUrl}/login?**`);
    await page.fill('#email', ALICE.email);
    await page.fill('#password', ALICE.password);
    await page.click('button[value="login"]');
    await page.waitForURL(`${stack.appUrl}/consent?**`);
    // RFC 8628 §5.4: the consent page says a device is being connected, and which.
    expect(await page.textContent('#device-warning')).to.match(/You are signing in to Living-room TV on another device\. Only continue if you started this/);
  }

  it('a code typed by hand at the short URL: login, consent with the phishing warning, success; the device gets tokens (screenshots)', async () => {
    const device = await start();
    await page.goto(device.verification_uri);
    await page.waitForURL(`${stack.appUrl}/device?device_challenge=**`);
    expect(await page.textContent('h1')).to.equal('Connect a device');
    expect(await page.inputValue('#user_code')).to.equal('');
    await screenshot(page, 'device-code');
    await page.fill('#user_code', device.user_code.toLowerCase().replace('-', ''));
    await page.click('button[value="connect"]');
    await signInAndReachConsent();
    await screenshot(page, 'device-consent');
    await page.click('button[value="allow"]');
    await page.waitForURL(`${stack.appUrl}/device/success?**`);
    expect(await page.textContent('h1')).to.equal('Device connected');
    await screenshot(page, 'device-success');
    const tokens = await pollUntilDone(device.device_code);
    expect(tokens.access_token).to.match(/^ory_at_/);
    expect(tokens.refresh_token).to.match(/^ory_rt_/);
    expect(tokens.id_token).to.be.a('string');
  });

  it('verification_uri_complete pre-fills the code', async () => {
    const device = await start();
    await page.goto(device.verification_uri_complete);
    await page.waitForURL(`${stack.appUrl}/device?device_challenge=**`);
    expect(await page.inputValue('#user_code')).to.equal(device.user_code);
    await page.click('button[value="connect"]');
    await signInAndReachConsent();
    await page.click('button[value="allow"]');
    await page.waitForURL(`${stack.appUrl}/device/success?**`);
    expect((await pollUntilDone(device.device_code)).access_token).to.match(/^ory_at_/);
  });

  it('a wrong code is a clear error on the page, and the device keeps waiting', async () => {
    const device = await start();
    await page.goto(device.verification_uri);
    await page.waitForURL(`${stack.appUrl}/device?device_challenge=**`);
    await page.fill('#user_code', 'BBBB-BBBB');
    const answer = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().startsWith(`${stack.appUrl}/device`));
    await page.click('button[value="connect"]');
    expect((await answer).status()).to.equal(400);
    expect(await page.textContent('[role="alert"]')).to.contain('That code is not valid');
    expect(await page.inputValue('#user_code')).to.equal('BBBB-BBBB');
    await screenshot(page, 'device-wrong-code');
    const polled = await poll(t(), tv, device.device_code);
    expect(polled.body.error).to.equal('authorization_pending');
  });

  it('a denied consent: the device polls access_denied', async () => {
    const device = await start();
    await page.goto(device.verification_uri_complete);
    await page.waitForURL(`${stack.appUrl}/device?device_challenge=**`);
    await page.click('button[value="connect"]');
    await signInAndReachConsent();
    await page.click('button[value="deny"]');
    await page.waitForURL(`${stack.tessera.publicUrl}/oauth2/device/verify?**`);
    expect(await page.textContent('body')).to.contain('access_denied');
    const polled = await pollUntilDone(device.device_code);
    expect(polled.error).to.equal('access_denied');
  });
});
