import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/*
 * Debian's Chromium driven by playwright-core (no browser download), headless,
 * JavaScript off: the pages must work without it. A fresh profile each time.
 */

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = fileURLToPath(new URL('../../screenshots/login-consent-app/', import.meta.url));

/** Why the browser suites cannot run here, or undefined when they can. */
export const browserSkipReason = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (apt-get install chromium), so the browser suites are skipped`;

export interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  close(): Promise<void>;
}

/** The flags every suite starts Debian's Chromium with (no background connections: the network is closed). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

/** A headless Chromium with JavaScript on, for suites that test scripts in pages (CORS fetches, form_post auto-submit). */
export function launchChromium(): ReturnType<typeof chromium.launch> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export async function openBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'login-app-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    javaScriptEnabled: false,
    viewport: { width: 1024, height: 800 },
    args: CHROMIUM_ARGS,
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A full-page PNG in the gitignored screenshots folder, for a reviewer to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
