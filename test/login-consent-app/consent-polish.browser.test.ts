import { expect } from 'chai';
import type { Browser as PlaywrightBrowser } from 'playwright-core';
import { browserSkipReason, launchChromium, openBrowser, screenshot, type Browser } from './browser.js';
import { ALICE, authorization, registerRelyingParty, startStack, type Stack } from './support.js';

/*
 * Issue 19, item 8, in Chromium with JavaScript off (as the pages run): a
 * logo that does not load shows the client's monogram, the same picture as a
 * client without a logo, while a logo that loads shows itself; the consent
 * page marks the third-party app and the redirect host; the demo page shows
 * readable times.
 */

/** Pixels of PNG screenshots, decoded by a canvas in a page that may run scripts (the app's pages may not). */
async function pixels(decoder: PlaywrightBrowser, pngs: readonly Buffer[]): Promise<number[][]> {
  const page = await decoder.newPage();
  try {
    // A string: the test's TypeScript has no DOM types; this runs in the page.
    const decode = `(async (images) => {
      const out = [];
      for (const b64 of images) {
        const img = new Image();
        img.src = 'data:image/png;base64,' + b64;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.width;
        canvas.height = img.height;
        const ctx = canvas.getContext('2d');
        ctx.drawImage(img, 0, 0);
        out.push([...ctx.getImageData(0, 0, img.width, img.height).data]);
      }
      return out;
    })(${JSON.stringify(pngs.map((b) => b.toString('base64')))})`;
    return (await page.evaluate(decode)) as number[][];
  } finally {
    await page.close();
  }
}

/** The share of pixels whose colour differs by more than a little (anti-aliasing aside). */
function difference(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return 1;
  let differing = 0;
  for (let i = 0; i < a.length; i += 4) {
    const d = Math.abs((a[i] ?? 0) - (b[i] ?? 0)) + Math.abs((a[i + 1] ?? 0) - (b[i + 1] ?? 0)) + Math.abs((a[i + 2] ?? 0) - (b[i + 2] ?? 0));
    if (d > 48) differing++;
  }
  return differing / (a.length / 4);
}

describe('login-consent-app consent page polish in Chromium (no JavaScript)', function () {
  this.timeout(90_000);
  let stack: Stack;
  let browser: Browser;
  let decoder: PlaywrightBrowser;

  before(async function () {
    if (browserSkipReason) {
      console.warn(`\n  ⚠ skipping: ${browserSkipReason}\n`);
      this.skip();
    }
    stack = await startStack({ dev: true });
    browser = await openBrowser();
    decoder = await launchChromium();
  });
  after(async () => {
    await decoder?.close();
    await browser?.close();
    await stack?.stop();
  });

  /** Opens the consent page of a new client registered with `extra`; signs in the first time (remembered after). */
  async function consentFor(extra: Record<string, unknown>): Promise<void> {
    const rp = await registerRelyingParty(stack, 'https://prints.example/callback', extra);
    const { page } = browser;
    await page.goto((await authorization(rp, 'openid email')).url);
    if (page.url().startsWith(`${stack.appUrl}/login`)) {
      await page.fill('#email', ALICE.email);
      await page.fill('#password', ALICE.password);
      await page.check('#remember');
      await page.click('button[value="login"]');
    }
    await page.waitForURL(`${stack.appUrl}/consent?**`);
  }

  it('shows the monogram when a logo does not load, as for a client without one; a loading logo shows itself', async () => {
    const { page } = browser;
    await consentFor({ client_name: 'Photo Printer', logo_uri: `${stack.appUrl}/static/no-such-logo.png` });
    expect(await page.evaluate("(() => { const i = document.querySelector('img.logo'); return i.complete && i.naturalWidth === 0; })()")).to.equal(true);
    expect(await page.textContent('#third-party')).to.include('Third-party app');
    expect(await page.textContent('#redirect-host')).to.include('prints.example');
    await screenshot(page, 'consent-broken-logo');
    const broken = await page.locator('.logo').screenshot();

    await consentFor({ client_name: 'Polaroid Point' });
    expect(await page.textContent('.logo.monogram')).to.equal('P');
    const monogram = await page.locator('.logo').screenshot();

    await consentFor({ client_name: 'Photo Printer', logo_uri: `${stack.appUrl}/static/demo-logo.svg` });
    expect(await page.evaluate("document.querySelector('img.logo').naturalWidth > 0")).to.equal(true);
    const loaded = await page.locator('.logo').screenshot();

    const [b = [], m = [], l = []] = await pixels(decoder, [broken, monogram, loaded]);
    expect(difference(b, m), 'broken logo vs monogram').to.be.below(0.02);
    expect(difference(l, m), 'loaded logo vs monogram').to.be.above(0.1);
  });

  it('shows token times on the demo page as dates and words, not epoch seconds', async () => {
    const { page } = browser;
    await page.goto(`${stack.appUrl}/demo`);
    await page.click('text=Sign in with Tessera');
    await page.waitForURL(/\/(consent|demo)/);
    if (page.url().includes('/consent')) await page.click('button[value="allow"]');
    await page.waitForURL(`${stack.appUrl}/demo`);
    const expiry = await page.textContent('.tokens dd:first-of-type .muted');
    expect(expiry).to.match(/expires \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}:\d{2} \S+ \(in (59|60) minutes\)/);
    const times = await page.textContent('#id-token-times');
    expect(times).to.match(/Issued iat\s*\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}:\d{2} \S+ \((now|\d+ seconds? ago)\)/);
    expect(times).to.match(/Expires exp\s*.*\(in (59|60) minutes\)/);
    const datetime = await page.getAttribute('#id-token-times time', 'datetime');
    expect(datetime).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
    await screenshot(page, 'demo-times');
  });
});
