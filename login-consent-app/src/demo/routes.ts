import type { TesseraAdmin } from '@tessera/sdk';
import { Router } from '@koa/router';
import type { Context, Middleware } from 'koa';
import * as oidc from 'openid-client';
import type { Csrf } from '../http/csrf.js';
import { field, formBody, formOf } from '../http/form.js';
import { redirect, sendHtml } from '../http/respond.js';
import { demoPage, legalPage } from '../views/demo.js';
import { authorizationUrl, endSessionUrl, newPending, redeem, refresh, revoke, userinfo, type RelyingParty } from './relying-party.js';
import { createDemoSessions, type DemoSession, type Pending } from './session.js';

export interface DemoDeps {
  readonly rp: RelyingParty;
  readonly admin: Pick<TesseraAdmin, 'introspectToken'>;
  readonly csrf: Csrf;
  readonly appUrl: string;
}

function describeError(err: unknown): string {
  if (err instanceof oidc.AuthorizationResponseError || err instanceof oidc.ResponseBodyError) {
    return `${err.error}${err.error_description ? `: ${err.error_description}` : ''}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Runs an action for the signed-in browser; a failure is shown on the demo page rather than as an error page. */
async function attempt(session: DemoSession, work: () => Promise<string | undefined>): Promise<void> {
  session.error = undefined;
  session.notice = undefined;
  try {
    session.notice = await work();
  } catch (err) {
    session.error = describeError(err);
  }
}

type Action = (session: DemoSession, which: 'access' | 'refresh') => Promise<string | undefined>;

/** The buttons of the signed-in page; each answers with the notice to show. */
function actions(deps: DemoDeps): Readonly<Record<string, Action>> {
  const tokenOf = (session: DemoSession, which: 'access' | 'refresh') =>
    (which === 'refresh' ? session.tokens?.refresh_token : session.tokens?.access_token) ?? '';
  return {
    async refresh(session) {
      if (!session.tokens) throw new Error('Not signed in.');
      session.tokens = await refresh(deps.rp, session.tokens);
      session.userinfo = await userinfo(deps.rp, session.tokens);
      return 'Refreshed: new access and refresh tokens; the old refresh token is now used up.';
    },
    async introspect(session, which) {
      session.introspection = { which, result: await deps.admin.introspectToken(tokenOf(session, which)) };
      return undefined;
    },
    async revoke(session, which) {
      await revoke(deps.rp, tokenOf(session, which), which === 'refresh' ? 'refresh_token' : 'access_token');
      session.introspection = { which, result: await deps.admin.introspectToken(tokenOf(session, which)) };
      return `Revoked the ${which} token.`;
    },
    async forget(session) {
      Object.assign(session, { tokens: undefined, userinfo: undefined, introspection: undefined });
      return 'Tokens forgotten (Tessera still remembers your sign-in).';
    },
  };
}

/** RP-initiated logout: forget the tokens here, then let Tessera end the session (it asks the user first). */
function logout(deps: DemoDeps, session: DemoSession): string {
  const state = oidc.randomState();
  const url = endSessionUrl(deps.rp, session.tokens, state);
  Object.assign(session, { tokens: undefined, userinfo: undefined, introspection: undefined, logoutState: state, notice: undefined, error: undefined });
  return url.href;
}

/** GET /demo/callback: checks state (this browser's request, or the printed one), redeems the code, fetches userinfo. */
async function callback(ctx: Context, deps: DemoDeps, session: DemoSession, shared: Pending): Promise<void> {
  const state = ctx.query['state'];
  const pending = session.pending?.state === state ? session.pending : shared.state === state ? shared : undefined;
  await attempt(session, async () => {
    if (!pending) throw new Error('This sign-in was not started here (unknown state). Start again.');
    const { tokens } = await redeem(deps.rp, new URL(ctx.originalUrl, deps.appUrl), pending);
    session.tokens = tokens;
    session.introspection = undefined;
    session.userinfo = await userinfo(deps.rp, tokens);
    return 'Signed in.';
  });
  session.pending = undefined;
  redirect(ctx, '/demo');
}

/**
 * The demo relying party at /demo (--dev only). `shared` is the pending
 * request behind the authorization URL printed at start: it is not bound to a
 * browser, which a real application must never allow, but lets a newcomer
 * paste the printed URL anywhere.
 */
export function demoRoutes(deps: DemoDeps): { router: Router; printableAuthorizationUrl(): Promise<URL> } {
  const sessions = createDemoSessions();
  const shared = newPending();
  const router = new Router({ prefix: '/demo' });
  const csrfFor = (ctx: Context, id: string) => deps.csrf.issue(ctx, 'demo', id);
  const table = actions(deps);

  router.get('/', (ctx) => {
    const { id, session } = sessions.of(ctx);
    if (session.logoutState !== undefined && ctx.query['state'] === session.logoutState) {
      session.logoutState = undefined;
      session.notice = 'You are signed out of Tessera.';
    }
    sendHtml(ctx, demoPage(session, csrfFor(ctx, id)));
  });

  router.get('/login', async (ctx) => {
    const { session } = sessions.of(ctx);
    session.pending = newPending();
    const prompt = ([] as string[]).concat(ctx.query['prompt'] ?? []).filter((p) => p === 'login' || p === 'consent');
    redirect(ctx, (await authorizationUrl(deps.rp, session.pending, prompt)).href);
  });

  router.get('/callback', (ctx) => callback(ctx, deps, sessions.of(ctx).session, shared));

  router.get('/privacy', (ctx) => sendHtml(ctx, legalPage('Demo app privacy policy')));
  router.get('/terms', (ctx) => sendHtml(ctx, legalPage('Demo app terms of service')));

  const actionOf = (ctx: Context) => {
    const name = ctx.params['action'] ?? '';
    return Object.hasOwn(table, name) ? table[name] : undefined;
  };
  // An unknown action is a 404 before anything else, the body included (never a method of Object.prototype).
  const knownAction: Middleware = (ctx, next) => (actionOf(ctx) || ctx.params['action'] === 'logout' ? next() : undefined);
  router.post('/:action', knownAction, formBody, async (ctx) => {
    const act = actionOf(ctx);
    const { id, session } = sessions.of(ctx);
    const form = formOf(ctx);
    if (!deps.csrf.verify(ctx, 'demo', id, field(form, 'csrf'))) {
      session.error = 'The form expired; try again.';
      return redirect(ctx, '/demo');
    }
    if (!act) return redirect(ctx, logout(deps, session));
    await attempt(session, () => act(session, field(form, 'which') === 'refresh' ? 'refresh' : 'access'));
    redirect(ctx, '/demo');
  });

  return { router, printableAuthorizationUrl: () => authorizationUrl(deps.rp, shared, []) };
}
