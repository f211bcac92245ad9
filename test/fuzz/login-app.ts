import { Browser } from '../helpers/browser.js';
import type { Values } from './encode.js';
import { makeFixture } from './fixture.js';
import type { OpSpec } from './spec.js';

/*
 * The login-consent app's form routes (login-consent-app/src/routes/*), as
 * operations for the fuzzer: GET shows the page for a challenge, POST takes
 * the form. Its fixture adds what a browser holds on the page: the CSRF
 * cookie and the form's token for the challenge.
 */

const string = { type: 'string' } as const;
const form = (...fields: string[]) => ({ form: true, schema: { type: 'object', properties: Object.fromEntries(fields.map((f) => [f, string])) } });

const route = (page: 'login' | 'consent' | 'logout', method: 'GET' | 'POST', fields: string[]): OpSpec => ({
  key: `app:${method.toLowerCase()}${page[0]?.toUpperCase()}${page.slice(1)}`,
  port: 'app',
  method,
  path: `/${page}`,
  pathParams: [],
  query: [{ name: `${page}_challenge`, schema: string, required: true }],
  body: method === 'POST' ? form(...fields) : undefined,
  browser: true,
  security: undefined,
});

export const APP_ROUTES: readonly OpSpec[] = [
  route('login', 'GET', []),
  route('login', 'POST', ['csrf', 'email', 'password', 'remember', 'action']),
  route('consent', 'GET', []),
  route('consent', 'POST', ['csrf', 'action', 'remember', 'grant_scope']),
  route('logout', 'GET', []),
  route('logout', 'POST', ['csrf', 'action']),
  { key: 'strayRoute@app', port: 'app', method: 'GET', path: '/{stray}', pathParams: ['stray'], query: [], body: undefined, browser: true, security: undefined },
];

/** Tessera's fixture for `subject` (a user of the app), plus the page's CSRF token and cookie for the operation's challenge. */
export async function appFixture(t: { publicUrl: string; adminUrl: string }, appUrl: string, subject: string, op: OpSpec): Promise<Values> {
  const values = await makeFixture(t, subject);
  const page = op.path.slice(1) as 'login' | 'consent' | 'logout';
  const challenge = { login: values.loginChallenge, consent: values.consentChallenge, logout: values.logoutChallenge }[page];
  if (!challenge) return values;
  const browser = new Browser();
  const shown = await browser.get(`${appUrl}/${page}?${page}_challenge=${encodeURIComponent(challenge)}`);
  const csrf = /name="csrf" value="([^"]+)"/.exec(shown.body)?.[1] ?? '';
  return { ...values, csrf, appCookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
}
