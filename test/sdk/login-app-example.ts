import Koa, { type Context } from 'koa';
import { Router } from '@koa/router';
import { TesseraAdmin, TesseraError, handleConsent, handleLogin, handleLogout, type OAuth2Client, type OAuth2ConsentRequest } from '@tessera/sdk';

// Your user store. Real apps keep password hashes (scrypt, argon2) and compare them in constant time.
const USERS = new Map([['alice', { password: 'wonderland', email: 'alice@example.com' }]]);

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title: string, form: string) => `<!doctype html><title>${esc(title)}</title><h1>${esc(title)}</h1><form method="post">${form}</form>`;
const remember = '<label><input type="checkbox" name="remember"> Remember me</label>';
const appName = (client: OAuth2Client) => client.client_name || client.client_id;

/** The posted form, or undefined on a GET. A form without an action posts back here, challenge included. */
async function posted(ctx: Context): Promise<URLSearchParams | undefined> {
  if (ctx.method !== 'POST') return undefined;
  let raw = '';
  for await (const chunk of ctx.req) raw += String(chunk);
  return new URLSearchParams(raw);
}

// ID token claims for what is granted: the e-mail only with the `email` scope.
const claims = ({ subject, requested_scope }: OAuth2ConsentRequest) => ({
  id_token: requested_scope.includes('email') ? { email: USERS.get(subject)?.email, email_verified: true } : {},
});

export function loginApp(admin: TesseraAdmin): Koa {
  const router = new Router();
  router.all('/login', async (ctx) => {
    const form = await posted(ctx);
    const step = await handleLogin(admin, String(ctx.query['login_challenge'] ?? ''), () => {
      if (!form) return undefined; // first visit: show the form
      const username = form.get('username') ?? '';
      if (USERS.get(username)?.password !== form.get('password')) return { render: 'Wrong username or password.' };
      return { subject: username, remember: form.get('remember') === 'on' };
    });
    if (step.redirectTo !== undefined) return ctx.redirect(step.redirectTo);
    ctx.body = page(`Sign in to ${appName(step.show.client)}`, `<p>${esc(step.render ?? '')}</p>
      <input name="username"> <input name="password" type="password"> <button>Sign in</button> ${remember}`);
  });

  router.all('/consent', async (ctx) => {
    const form = await posted(ctx);
    const step = await handleConsent(admin, String(ctx.query['consent_challenge'] ?? ''), {
      claims, // for requests that skip the screen: remembered consent, or a skip_consent client
      decide: (request) => {
        if (!form) return undefined; // show the question
        if (form.get('allow') !== 'yes') return { reject: { error: 'access_denied', error_description: 'The user said no.' } };
        const remember = form.get('remember') === 'on';
        const { requested_scope: grant_scope, requested_access_token_audience: grant_access_token_audience } = request;
        return { grant_scope, grant_access_token_audience, remember, session: claims(request) };
      },
    });
    if (step.redirectTo !== undefined) return ctx.redirect(step.redirectTo);
    ctx.body = page(`${appName(step.show.client)} asks for: ${step.show.requested_scope.join(', ')}`,
      `<button name="allow" value="yes">Allow</button> <button name="allow" value="no">Deny</button> ${remember}`);
  });

  router.all('/logout', async (ctx) => {
    const form = await posted(ctx);
    // Ask first: any page can send a browser to the logout URL. Only the user's own POST signs out.
    const step = await handleLogout(admin, String(ctx.query['logout_challenge'] ?? ''), () =>
      form ? (form.get('logout') === 'yes' ? 'accept' : 'reject') : undefined);
    if (step.redirectTo !== undefined) return ctx.redirect(step.redirectTo);
    const asking = step.show?.client ? `, as ${appName(step.show.client)} asks` : '';
    ctx.body = step.rejected ? 'You are still signed in.' : page(`Sign out${asking}?`,
      '<button name="logout" value="yes">Sign out</button> <button name="logout" value="no">Stay signed in</button>');
  });

  const app = new Koa();
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      // 410: the challenge was used (back button, double submit) or expired; start the flow again.
      if (err instanceof TesseraError && err.redirectTo) return ctx.redirect(err.redirectTo);
      throw err;
    }
  });
  app.use(router.routes());
  return app;
}
