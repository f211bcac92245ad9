import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { browserSkipReason, openBrowser, screenshot, type Browser } from './browser.js';
import { startTestRp, type TestRp } from './rp-server.js';
import { ALICE, startStack, type Stack } from './support.js';

interface Outcome {
  readonly claims: Record<string, unknown>;
  readonly scope: string;
  readonly access_token: string;
  readonly refresh_token: string | null;
}

describe('login-consent-app in Chromium (no JavaScript)', function () {
  this.timeout(60_000);
  let stack: Stack;
  let rp: TestRp;
  let browser: Browser;
  let page: Page;

  before(async function () {
    if (browserSkipReason) {
      console.warn(`\n  ⚠ skipping: ${browserSkipReason}\n`);
      this.skip();
    }
    stack = await startStack();
    rp = await startTestRp(stack, {
      client_name: 'Photo Printer',
      logo_uri: `${stack.appUrl}/static/demo-logo.svg`,
      policy_uri: 'https://printer.example/privacy',
      tos_uri: 'https://printer.example/terms',
    });
  });
  after(async () => {
    await rp?.close();
    await stack?.stop();
  });
  beforeEach(async () => {
    // Each test starts from nothing: no remembered consent on Tessera's side either.
    await stack.admin.revokeConsentSessions({ subject: stack.alice.id, all: true });
    browser = await openBrowser();
    page = browser.page;
  });
  afterEach(async () => browser?.close());

  const begin = (scope: string) => page.goto(`${rp.url}/start?scope=${encodeURIComponent(scope)}`);
  const onLogin = () => page.waitForURL(`${stack.appUrl}/login?**`);
  const onConsent = () => page.waitForURL(`${stack.appUrl}/consent?**`);
  const atRp = () => page.waitForURL(`${rp.url}/callback?**`);

  async function signIn(password: string = ALICE.password, remember = false): Promise<void> {
    await page.fill('#email', ALICE.email);
    await page.fill('#password', password);
    if (remember) await page.check('#remember');
    await page.click('button[value="login"]');
  }

  async function outcome(): Promise<Outcome> {
    await atRp();
    return JSON.parse((await page.textContent('#result')) ?? '{}') as Outcome;
  }

  it('relying party → login → consent → back with a code; the ID token carries the email (screenshots taken)', async () => {
    await begin('openid email profile offline_access');
    await onLogin();
    expect(await page.getAttribute('html', 'lang')).to.equal('en');
    await screenshot(page, 'login');
    await signIn();
    await onConsent();
    expect(await page.textContent('h1')).to.include('Photo Printer');
    expect(await page.isDisabled('#scope-openid')).to.equal(true);
    await screenshot(page, 'consent');
    await page.setViewportSize({ width: 375, height: 740 });
    await screenshot(page, 'consent-phone');
    await page.click('button[value="allow"]');
    const result = await outcome();
    expect(result.claims).to.include({ sub: stack.alice.id, email: ALICE.email, email_verified: true, name: ALICE.name, preferred_username: ALICE.username });
    expect(result.access_token).to.match(/^ory_at_/);
    expect(result.refresh_token).to.match(/^ory_rt_/);
  });

  it('a wrong password shows a clear error and keeps the user on the login page', async () => {
    await begin('openid');
    await onLogin();
    await signIn('definitely wrong');
    await page.waitForSelector('[role="alert"]');
    expect(await page.textContent('[role="alert"]')).to.equal('The email address or password is incorrect.');
    expect(await page.inputValue('#email')).to.equal(ALICE.email);
    expect(await page.inputValue('#password')).to.equal('');
    await screenshot(page, 'login-error');
    await signIn();
    await onConsent();
  });

  it('cancel at login ends at the relying party with access_denied', async () => {
    await begin('openid');
    await onLogin();
    await page.click('button[value="cancel"]');
    await atRp();
    expect(await page.textContent('#error')).to.equal('access_denied');
  });

  it('deny at consent ends at the relying party with access_denied', async () => {
    await begin('openid email');
    await onLogin();
    await signIn();
    await onConsent();
    await page.click('button[value="deny"]');
    await atRp();
    expect(await page.textContent('#error')).to.equal('access_denied');
  });

  it('an unticked scope is missing from the token, and so are its claims', async () => {
    await begin('openid email profile');
    await onLogin();
    await signIn();
    await onConsent();
    await page.uncheck('#scope-email');
    await page.click('button[value="allow"]');
    const result = await outcome();
    expect(result.scope.split(' ')).to.have.members(['openid', 'profile']);
    expect(result.claims).to.include({ name: ALICE.name });
    expect(result.claims).not.to.have.property('email');
  });

  it('a remembered login skips the login page (consent is still asked)', async () => {
    await begin('openid email');
    await onLogin();
    await signIn(ALICE.password, true);
    await onConsent();
    await page.click('button[value="allow"]');
    await outcome();

    await begin('openid email');
    await onConsent();
    await page.click('button[value="allow"]');
    expect((await outcome()).claims).to.include({ email: ALICE.email });
  });

  it('a remembered consent skips the consent page as well, and the claims are still there', async () => {
    await begin('openid email');
    await onLogin();
    await signIn(ALICE.password, true);
    await onConsent();
    await page.check('#remember');
    await page.click('button[value="allow"]');
    await outcome();

    await begin('openid email');
    const result = await outcome();
    expect(result.claims).to.include({ sub: stack.alice.id, email: ALICE.email });
  });

  it('signs out after confirmation on the logout page', async () => {
    await begin('openid');
    await onLogin();
    await signIn(ALICE.password, true);
    await onConsent();
    await page.click('button[value="allow"]');
    await outcome();

    await page.goto(`${stack.tessera.publicUrl}/oauth2/sessions/logout?client_id=${encodeURIComponent(rp.rp.client.client_id)}`);
    await page.waitForURL(`${stack.appUrl}/logout?**`);
    await screenshot(page, 'logout');
    await page.click('button[value="logout"]');
    await page.waitForURL((url) => !url.href.startsWith(`${stack.appUrl}/logout`));

    await begin('openid');
    await onLogin();
  });
});
