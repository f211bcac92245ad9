import type { Cookie } from '../lib/result.js';
import type { LoginSession } from '../storage/ports.js';
import type { FlowDeps } from './deps.js';
import { COOKIES } from './deps.js';
import { hashSecret, mintSecret } from './secrets.js';

/** What the browser presented: raw cookie values. */
export interface BrowserCookies {
  readonly browser?: string | undefined;
  readonly session?: string | undefined;
}

/** The browser's binding secret, minted (with its cookie) on first sight. */
export function bindBrowser(cookies: BrowserCookies): { hash: string; cookie?: Cookie } {
  if (cookies.browser && cookies.browser.length >= 43) return { hash: hashSecret(cookies.browser) };
  const fresh = mintSecret();
  return { hash: fresh.hash, cookie: { name: COOKIES.browser, value: fresh.value } };
}

/** RFC 9700 §4.7: a verifier only counts in the browser that started its flow (login, consent or logout). */
export function sameBrowser(stored: { readonly browser: string }, cookies: BrowserCookies): boolean {
  return cookies.browser !== undefined && hashSecret(cookies.browser) === stored.browser;
}

/** The remembered login this browser carries, if it is still valid. */
export async function currentSession(deps: Pick<FlowDeps, 'loginSessions' | 'clock'>, cookies: BrowserCookies): Promise<LoginSession | undefined> {
  if (!cookies.session) return undefined;
  const session = await deps.loginSessions.bySecret(hashSecret(cookies.session));
  return session && session.expiresAt > deps.clock.now() ? session : undefined;
}

export const clearSessionCookie: Cookie = { name: COOKIES.session, value: '', maxAgeSeconds: 0 };
