import { expect } from 'chai';
import type { Agent, Page } from './agent.js';
import { ALICE, authorization, csrfOf, type Authorization, type RelyingParty, type Stack } from './support.js';

/* The steps of a flow over HTTP, each checking what a user would see. */

export const atCallback = (rp: RelyingParty) => (url: string) => url.startsWith(rp.redirectUri);

/** authorize → Tessera → the login page (or further, when Tessera or the app skip it). */
export async function start(agent: Agent, rp: RelyingParty, scope: string, extra: Record<string, string> = {}): Promise<{ auth: Authorization; page: Page }> {
  const auth = await authorization(rp, scope, extra);
  const page = await agent.follow(await agent.get(auth.url), atCallback(rp));
  return { auth, page };
}

export interface Credentials {
  readonly email?: string;
  readonly password?: string;
  readonly remember?: boolean;
  readonly action?: 'login' | 'cancel';
  readonly csrf?: string;
}

/** Submits the login form of `login` (its own CSRF token unless told otherwise). */
export function submitLogin(agent: Agent, login: Page, credentials: Credentials = {}, headers: Record<string, string> = {}): Promise<Page> {
  const fields: Array<[string, string]> = [
    ['csrf', credentials.csrf ?? csrfOf(login.body)],
    ['email', credentials.email ?? ALICE.email],
    ['password', credentials.password ?? ALICE.password],
    ['action', credentials.action ?? 'login'],
  ];
  if (credentials.remember) fields.push(['remember', 'on']);
  return agent.post(login.url, fields, headers);
}

export interface Decision {
  readonly scopes?: readonly string[];
  readonly remember?: boolean;
  readonly action?: 'allow' | 'deny';
}

/** Submits the consent form: the ticked scopes (all offered ones unless told), allow or deny. */
export function submitConsent(agent: Agent, consent: Page, decision: Decision = {}): Promise<Page> {
  const offered = [...consent.body.matchAll(/name="grant_scope" value="([^"]+)"/g)].map((m) => m[1] ?? '');
  const fields: Array<[string, string]> = [['csrf', csrfOf(consent.body)], ['action', decision.action ?? 'allow']];
  for (const scope of decision.scopes ?? offered) fields.push(['grant_scope', scope]);
  if (decision.remember) fields.push(['remember', 'on']);
  return agent.post(consent.url, fields);
}

/** The whole flow as a user clicks it; returns the callback URL (with `code` or `error`). */
export async function signInAndAllow(
  agent: Agent,
  stack: Stack,
  rp: RelyingParty,
  scope: string,
  options: { credentials?: Credentials; decision?: Decision; extra?: Record<string, string> } = {},
): Promise<{ auth: Authorization; callback: string }> {
  const { auth, page: login } = await start(agent, rp, scope, options.extra);
  expect(login.url, login.body).to.match(new RegExp(`^${stack.appUrl}/login\\?`));
  const consent = await agent.follow(await submitLogin(agent, login, options.credentials), atCallback(rp));
  expect(consent.url, consent.body).to.match(new RegExp(`^${stack.appUrl}/consent\\?`));
  const done = await agent.follow(await submitConsent(agent, consent, options.decision), atCallback(rp));
  expect(done.location, done.body).to.be.a('string');
  return { auth, callback: done.location ?? '' };
}
