import type Koa from 'koa';
import { Router } from '@koa/router';
import type { Logger } from 'pino';
import { DeviceAuthorizationRequest, PushedAuthorizationRequest, RevocationRequest, TokenRequest } from '@tessera/sdk';
import { openApiDocument } from '@tessera/sdk/openapi';
import type { HandlerResult } from '../lib/result.js';
import { parseParams } from '../lib/params.js';
import { COOKIES } from '../flows/deps.js';
import type { BrowserCookies } from '../flows/browser.js';
import type { UserinfoInput } from '../oauth2/userinfo/handler.js';
import { route } from './route.js';
import { formBody, formOf } from './body.js';
import { parseInput } from './validate.js';
import { healthRoutes, type HealthDeps } from './health.js';
import { commonMiddleware } from './common.js';
import { HttpApp } from './fast-lane.js';
import { actualHeaders, CORS_ENDPOINTS, corsActual, corsPreflight, type Cors } from './cors.js';
import { browserErrors } from './error-page.js';
import { leakPublicRoute } from './leaks.js';
import type { SignedRequest } from '../oauth2/leaks/public.js';
import { registrationRoutes } from './registration.js';
import type { RegistrationHandlers } from '../clients/registration/handler.js';
import type { Metrics } from '../metrics/metrics.js';

export interface PublicDeps extends HealthDeps {
  readonly logger: Logger;
  readonly exposeDebug: boolean;
  readonly discovery: () => Promise<HandlerResult>;
  readonly jwks: () => Promise<HandlerResult>;
  /** `peer`: the caller's address (failed client authentication is throttled per client and address). */
  readonly token: (request: TokenRequest, authorization: string | undefined, peer: string | undefined, dpop?: string) => Promise<HandlerResult>;
  readonly revoke: (request: RevocationRequest, authorization: string | undefined, peer: string | undefined) => Promise<HandlerResult>;
  readonly authorize: (params: Record<string, string>, cookies: BrowserCookies) => Promise<HandlerResult>;
  /** RFC 9126 POST /oauth2/par. */
  readonly pushAuthorizationRequest: (form: PushedAuthorizationRequest, authorization: string | undefined, peer: string | undefined, dpop?: string) => Promise<HandlerResult>;
  readonly userinfo: (input: UserinfoInput) => Promise<HandlerResult>;
  readonly endSession: (params: Record<string, string>, cookies: BrowserCookies) => Promise<HandlerResult>;
  /** RFC 8628 §3.1 POST /oauth2/device/auth. */
  readonly deviceAuthorization: (request: DeviceAuthorizationRequest, authorization: string | undefined, peer: string | undefined) => Promise<HandlerResult>;
  /** GET /oauth2/device/verify: the browser's side of the device flow. */
  readonly deviceVerify: (params: Record<string, string>, cookies: BrowserCookies, peer: string | undefined) => Promise<HandlerResult>;
  readonly secureCookies: boolean;
  /** CORS on the endpoints of http/cors.ts; undefined while `serve.public.cors.enabled` is off (no CORS headers, no OPTIONS routes). */
  readonly cors?: Cors | undefined;
  /** Signed leak reports from third-party scanners; undefined while `oauth2.leak_reports.public.enabled` is off (no route). */
  readonly leakReport?: ((request: SignedRequest) => Promise<HandlerResult>) | undefined;
  /** /oauth2/register (RFC 7591/7592); answers 404 while dynamic registration is off. */
  readonly registration?: RegistrationHandlers | undefined;
  /** Request metrics by route template (metrics/); none when absent. */
  readonly metrics?: Pick<Metrics, 'route' | 'request'> | undefined;
}

const browserCookies = (ctx: Koa.Context): BrowserCookies => ({
  browser: ctx.cookies.get(COOKIES.browser),
  session: ctx.cookies.get(COOKIES.session),
});

const authorization = (ctx: Koa.Context) => ctx.get('authorization') || undefined;
/** RFC 9449 §4.1: node joins repeated DPoP headers with ", ", which the proof check refuses (exactly one). */
const dpopHeader = (ctx: Koa.Context) => ctx.req.headers['dpop'] as string | undefined;

/**
 * Token, revocation and userinfo answers are never cached, failures included
 * (RFC 6749 §5.1; fosite sets both headers on every token endpoint answer).
 */
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;
const noStore: Koa.Middleware = (ctx, next) => {
  ctx.set(NO_STORE);
  return next();
};

export function createPublicApp(deps: PublicDeps): HttpApp {
  const token = (form: Record<string, string>, auth: string | undefined, peer: string | undefined, dpop: string | undefined) =>
    deps.token(parseInput(TokenRequest, form, 'token request'), auth, peer, dpop);
  const form = formBody();
  const router = new Router();
  const { cors } = deps;
  // The CORS middleware of a path, if it is a CORS endpoint and CORS is on; its preflight route.
  const corsFor = (path: string): Koa.Middleware[] => {
    const endpoint = CORS_ENDPOINTS.get(path);
    return cors && endpoint ? [corsActual(cors, endpoint)] : [];
  };
  if (cors) for (const [path, endpoint] of CORS_ENDPOINTS) router.options(path, corsPreflight(cors, endpoint));
  healthRoutes(router, deps);
  // The public API's part of the OpenAPI document (the admin port serves the whole), serialised once per app.
  const openapi = JSON.stringify(openApiDocument({ api: 'public' }));
  router.get('/.well-known/openapi.json', route(() => ({ kind: 'json', body: openapi })));
  router
    .get('/.well-known/openid-configuration', ...corsFor('/.well-known/openid-configuration'), route(deps.discovery))
    // RFC 8414 §3: the same metadata for plain OAuth 2.0 clients.
    .get('/.well-known/oauth-authorization-server', ...corsFor('/.well-known/oauth-authorization-server'), route(deps.discovery))
    .get('/.well-known/jwks.json', ...corsFor('/.well-known/jwks.json'), route(deps.jwks))
    .post('/oauth2/token', noStore, ...corsFor('/oauth2/token'), form, route((ctx) => token(formOf(ctx), authorization(ctx), ctx.req.socket.remoteAddress, dpopHeader(ctx))))
    .post('/oauth2/revoke', noStore, ...corsFor('/oauth2/revoke'), form, route((ctx) => deps.revoke(parseInput(RevocationRequest, formOf(ctx), 'revocation request'), authorization(ctx), ctx.req.socket.remoteAddress)));

  const cookieOptions = { secureCookies: deps.secureCookies };
  router
    .get('/oauth2/auth', browserErrors, route((ctx) => deps.authorize(parseParams(ctx.querystring), browserCookies(ctx)), cookieOptions))
    .post('/oauth2/auth', browserErrors, form, route((ctx) => deps.authorize(formOf(ctx), browserCookies(ctx)), cookieOptions))
    .get('/oauth2/sessions/logout', browserErrors, route((ctx) => deps.endSession(parseParams(ctx.querystring), browserCookies(ctx)), cookieOptions))
    .post('/oauth2/sessions/logout', browserErrors, form, route((ctx) => deps.endSession(formOf(ctx), browserCookies(ctx)), cookieOptions))
    .get('/oauth2/device/verify', browserErrors, route((ctx) => deps.deviceVerify(parseParams(ctx.querystring), browserCookies(ctx), ctx.req.socket.remoteAddress), cookieOptions));
  const deviceAuthorization = (ctx: Koa.Context) =>
    deps.deviceAuthorization(parseInput(DeviceAuthorizationRequest, formOf(ctx), 'device authorization request'), authorization(ctx), ctx.req.socket.remoteAddress);
  router.post('/oauth2/device/auth', noStore, ...corsFor('/oauth2/device/auth'), form, route(deviceAuthorization));
  const push = (ctx: Koa.Context) =>
    deps.pushAuthorizationRequest(parseInput(PushedAuthorizationRequest, formOf(ctx), 'pushed authorization request'), authorization(ctx), ctx.req.socket.remoteAddress, dpopHeader(ctx));
  router.post('/oauth2/par', noStore, form, route(push));

  if (deps.registration) registrationRoutes(router, deps.registration);

  const userinfoRoute = route((ctx) => {
    const posted = ctx.method === 'POST' ? formOf(ctx) : {};
    return deps.userinfo({
      authorization: authorization(ctx),
      tokenElsewhere: ctx.query['access_token'] !== undefined || posted['access_token'] !== undefined,
      method: ctx.method,
      dpop: dpopHeader(ctx),
    });
  });
  if (deps.leakReport) leakPublicRoute(router, deps.leakReport);
  router.get('/userinfo', noStore, ...corsFor('/userinfo'), userinfoRoute).post('/userinfo', noStore, ...corsFor('/userinfo'), form, userinfoRoute);

  const tokenCors = CORS_ENDPOINTS.get('/oauth2/token');
  const laneCors = cors && tokenCors ? (origin: string | undefined, body: Record<string, string> | undefined, auth: string | undefined) => actualHeaders(cors, tokenCors, origin, { form: body, authorization: auth }) : undefined;
  const app = new HttpApp().fastPost(['/oauth2/token'], token, { logger: deps.logger, exposeDebug: deps.exposeDebug, headers: NO_STORE, cors: laneCors, metrics: deps.metrics });
  app.use(commonMiddleware(deps.logger, deps.exposeDebug, deps.metrics));
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  return app;
}
