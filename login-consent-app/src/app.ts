import Koa from 'koa';
import { Router } from '@koa/router';
import { PageError, errorHandler } from './http/errors.js';
import { formBody } from './http/form.js';
import { securityHeaders } from './http/headers.js';
import { sendHtml } from './http/respond.js';
import { staticFiles } from './http/static.js';
import type { RouteDeps } from './routes/deps.js';
import { getConsent, postConsent } from './routes/consent.js';
import { getLogin, postLogin } from './routes/login.js';
import { getLogout, postLogout } from './routes/logout.js';
import { getDevice, getDeviceDone, postDevice } from './routes/device.js';
import { homePage } from './views/home.js';

export interface AppOptions {
  readonly dev: boolean;
  /** Trust X-Forwarded-For / -Proto from a reverse proxy in front (RFC 9700 §4.13: only when there is one). */
  readonly trustProxy: boolean;
  /** Extra routes (the demo relying party in --dev). */
  readonly extra?: Router | undefined;
}

/**
 * A method no route has (PROPFIND, TRACE) or a route does not take: 405 as a
 * page. koa-router's default for the first is 501 Not Implemented, a server
 * error for what is the client's mistake.
 */
const methodNotAllowed = () => new PageError(405, { title: 'Method not allowed', message: 'This page does not take that kind of request.' });
const ALLOWED_METHODS = { throw: true, notImplemented: methodNotAllowed, methodNotAllowed } as const;

/** The login, consent and logout app: a koa app with no state of its own beyond `deps`. */
export function createApp(deps: RouteDeps, options: AppOptions): Koa {
  const app = new Koa({ proxy: options.trustProxy });
  const router = new Router();
  router.get('/', (ctx) => sendHtml(ctx, homePage(options.extra !== undefined)));
  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/login', (ctx) => getLogin(ctx, deps));
  router.post('/login', formBody, (ctx) => postLogin(ctx, deps));
  router.get('/consent', (ctx) => getConsent(ctx, deps));
  router.post('/consent', formBody, (ctx) => postConsent(ctx, deps));
  router.get('/logout', (ctx) => getLogout(ctx, deps));
  router.post('/logout', formBody, (ctx) => postLogout(ctx, deps));
  router.get('/device', (ctx) => getDevice(ctx, deps));
  router.post('/device', formBody, (ctx) => postDevice(ctx, deps));
  router.get('/device/success', (ctx) => getDeviceDone(ctx));

  app.use(securityHeaders({ dev: options.dev }));
  app.use(errorHandler(deps.log));
  app.use(staticFiles());
  app.use(router.routes());
  app.use(router.allowedMethods(ALLOWED_METHODS));
  if (options.extra) app.use(options.extra.routes()).use(options.extra.allowedMethods(ALLOWED_METHODS));
  return app;
}
