import type Koa from 'koa';
import type { Middleware } from 'koa';
import { Router } from '@koa/router';
import type { Logger } from 'pino';
import {
  AcceptDeviceUserCodeRequest,
  AcceptOAuth2ConsentRequest,
  AcceptOAuth2LoginRequest,
  ConsentChallengeQuery,
  CreateJsonWebKeySet,
  DeviceChallengeQuery,
  DeleteOAuth2TokensQuery,
  IntrospectionRequest,
  ListConsentSessionsQuery,
  LoginChallengeQuery,
  LogoutChallengeQuery,
  RevokeConsentSessionsQuery,
  RevokeLoginSessionsQuery,
  RejectOAuth2Request,
  JsonPatchDocument,
  JsonWebKey,
  JsonWebKeySetInput,
  ListClientsQuery,
  OAuth2ClientInput,
  OAuth2ClientTokenLifespans,
  RotateClientSecretRequest,
  ListTrustedIssuersQuery,
  TrustOAuth2JwtGrantIssuer,
} from '@tessera/sdk';
import { openApiDocument } from '@tessera/sdk/openapi';
import type { clientHandlers } from '../clients/handler.js';
import type { keyHandlers } from '../keys/handler.js';
import type { loginHandlers } from '../flows/login/admin.js';
import type { consentHandlers } from '../flows/consent/admin.js';
import type { sessionHandlers } from '../sessions/handler.js';
import type { logoutHandlers } from '../flows/logout/admin.js';
import type { TrustHandlers } from '../oauth2/trust/handler.js';
import { wantsIntrospectionJwt, type IntrospectionHttp } from '../oauth2/introspect/jwt-response.js';
import type { deviceHandlers } from '../flows/device/accept.js';
import { invalidRequest } from '../errors/catalog.js';
import type { HandlerResult } from '../lib/result.js';
import { formBody, formOf, jsonBody, jsonOf } from './body.js';
import { parseInput } from './validate.js';
import { param, route } from './route.js';
import { healthRoutes, type HealthDeps } from './health.js';
import { commonMiddleware } from './common.js';
import { HttpApp } from './fast-lane.js';
import { createAdminGuard, type AdminGuardOptions } from './middleware/admin-guard.js';
import { leakAdminRoutes, type LeakAdminHandlers } from './leaks.js';
import { metricsRoute } from './metrics.js';
import { noopMetrics, type Metrics } from '../metrics/metrics.js';

export interface AdminDeps extends HealthDeps {
  readonly logger: Logger;
  readonly exposeDebug: boolean;
  readonly clients: ReturnType<typeof clientHandlers>;
  readonly keys: ReturnType<typeof keyHandlers>;
  /** With `http`, RFC 9701's JWT answer when Accept asks for it (oauth2/introspect/jwt-response.ts). */
  readonly introspect: (request: IntrospectionRequest, http?: IntrospectionHttp) => Promise<HandlerResult>;
  readonly deleteTokens: (query: DeleteOAuth2TokensQuery) => Promise<HandlerResult>;
  readonly login: ReturnType<typeof loginHandlers>;
  readonly consent: ReturnType<typeof consentHandlers>;
  readonly sessions: ReturnType<typeof sessionHandlers>;
  readonly logout: ReturnType<typeof logoutHandlers>;
  readonly device: ReturnType<typeof deviceHandlers>;
  /** Leak reports (extension, issue 18). */
  readonly leaks: LeakAdminHandlers;
  /** Host allow-list and bearer tokens; absent or empty: open, as Hydra's admin API is. */
  readonly guard?: AdminGuardOptions;
  /** Hydra's jwt-bearer trust API (/admin/trust/grants/jwt-bearer/issuers). */
  readonly trust?: TrustHandlers | undefined;
  /** Request metrics, and the scrape GET /admin/metrics/prometheus answers with (metrics/). */
  readonly metrics?: Metrics;
}

const loginChallenge = (ctx: Koa.Context) => {
  const q = parseInput(LoginChallengeQuery, ctx.query, 'query');
  return q.login_challenge ?? q.challenge;
};
const consentChallenge = (ctx: Koa.Context) => {
  const q = parseInput(ConsentChallengeQuery, ctx.query, 'query');
  return q.consent_challenge ?? q.challenge;
};
const logoutChallenge = (ctx: Koa.Context) => {
  const q = parseInput(LogoutChallengeQuery, ctx.query, 'query');
  return q.logout_challenge ?? q.challenge;
};
/** Reject bodies are optional: an empty body means "access_denied". */
const rejectBody = (ctx: Koa.Context) => parseInput(RejectOAuth2Request, jsonOf(ctx) ?? {}, 'rejection');

const UNPREFIXED = /^\/(health|version|metrics|\.well-known)(\/|$)/;

const ADMIN_HEADERS = { 'Cache-Control': 'private, no-cache, no-store, must-revalidate', Pragma: 'no-cache' } as const;

/** Hydra v2 serves the admin API under /admin and adds the prefix when a caller leaves it out. */
const adminPrefix: Middleware = async (ctx, next) => {
  if (!ctx.path.startsWith('/admin/') && ctx.path !== '/admin' && !UNPREFIXED.test(ctx.path)) ctx.path = `/admin${ctx.path}`;
  ctx.set(ADMIN_HEADERS);
  await next();
};

/** The JSON body `json` parsed, checked against its contract schema; required. */
const body = <S extends Parameters<typeof parseInput>[0]>(ctx: Koa.Context, schema: S, what: string) => {
  const value = jsonOf(ctx);
  if (value === undefined) throw invalidRequest(`The ${what} is missing.`);
  return parseInput(schema, value, what);
};

export function createAdminApp(deps: AdminDeps): HttpApp {
  const { clients, keys } = deps;
  const json = jsonBody();
  const router = new Router();
  healthRoutes(router, deps);
  // The whole OpenAPI document (both APIs), serialised once per app.
  const openapi = JSON.stringify(openApiDocument());
  router.get('/.well-known/openapi.json', route(() => ({ kind: 'json', body: openapi })));

  router
    .post('/admin/clients', json, route((ctx) => clients.create(body(ctx, OAuth2ClientInput, 'client'))))
    .get('/admin/clients', route((ctx) => clients.list(parseInput(ListClientsQuery, ctx.query, 'query'), ctx.path)))
    .get('/admin/clients/:id', route((ctx) => clients.get(param(ctx, 'id'))))
    .put('/admin/clients/:id', json, route((ctx) => clients.replace(param(ctx, 'id'), body(ctx, OAuth2ClientInput, 'client'))))
    .patch('/admin/clients/:id', json, route((ctx) => clients.patch(param(ctx, 'id'), body(ctx, JsonPatchDocument, 'JSON Patch'))))
    .delete('/admin/clients/:id', route((ctx) => clients.delete(param(ctx, 'id'))))
    .put('/admin/clients/:id/lifespans', json, route((ctx) => clients.setLifespans(param(ctx, 'id'), body(ctx, OAuth2ClientTokenLifespans, 'lifespans'))))
    .post('/admin/clients/:id/secret', json, route((ctx) => clients.rotateSecret(param(ctx, 'id'), parseInput(RotateClientSecretRequest, jsonOf(ctx) ?? {}, 'rotation request'))));

  router
    .get('/admin/keys/:set', route((ctx) => keys.getSet(param(ctx, 'set'))))
    .post('/admin/keys/:set', json, route((ctx) => keys.createKey(param(ctx, 'set'), body(ctx, CreateJsonWebKeySet, 'key request'))))
    .put('/admin/keys/:set', json, route((ctx) => keys.replaceSet(param(ctx, 'set'), body(ctx, JsonWebKeySetInput, 'key set'))))
    .delete('/admin/keys/:set', route((ctx) => keys.deleteSet(param(ctx, 'set'))))
    .get('/admin/keys/:set/:kid', route((ctx) => keys.getKey(param(ctx, 'set'), param(ctx, 'kid'))))
    .put('/admin/keys/:set/:kid', json, route((ctx) => keys.putKey(param(ctx, 'set'), param(ctx, 'kid'), body(ctx, JsonWebKey, 'key'))))
    .delete('/admin/keys/:set/:kid', route((ctx) => keys.deleteKey(param(ctx, 'set'), param(ctx, 'kid'))));

  const { login, consent } = deps;
  router
    .get('/admin/oauth2/auth/requests/login', route((ctx) => login.get(loginChallenge(ctx))))
    .put('/admin/oauth2/auth/requests/login/accept', json, route((ctx) => login.accept(loginChallenge(ctx), body(ctx, AcceptOAuth2LoginRequest, 'login acceptance'))))
    .put('/admin/oauth2/auth/requests/login/reject', json, route((ctx) => login.reject(loginChallenge(ctx), rejectBody(ctx))))
    .get('/admin/oauth2/auth/requests/consent', route((ctx) => consent.get(consentChallenge(ctx))))
    .put('/admin/oauth2/auth/requests/consent/accept', json, route((ctx) => consent.accept(consentChallenge(ctx), body(ctx, AcceptOAuth2ConsentRequest, 'consent acceptance'))))
    .put('/admin/oauth2/auth/requests/consent/reject', json, route((ctx) => consent.reject(consentChallenge(ctx), rejectBody(ctx))));

  const deviceChallenge = (ctx: Koa.Context) => parseInput(DeviceChallengeQuery, ctx.query, 'query').device_challenge;
  router.put(
    '/admin/oauth2/auth/requests/device/accept',
    json,
    route((ctx) => deps.device.accept(deviceChallenge(ctx), body(ctx, AcceptDeviceUserCodeRequest, 'user code acceptance'))),
  );

  const { sessions, logout } = deps;
  router
    .get('/admin/oauth2/auth/requests/logout', route((ctx) => logout.get(logoutChallenge(ctx))))
    .put('/admin/oauth2/auth/requests/logout/accept', route((ctx) => logout.accept(logoutChallenge(ctx))))
    .put('/admin/oauth2/auth/requests/logout/reject', route((ctx) => logout.reject(logoutChallenge(ctx))));
  router
    .get('/admin/oauth2/auth/sessions/consent', route((ctx) => sessions.listConsent(parseInput(ListConsentSessionsQuery, ctx.query, 'query'), ctx.path)))
    .delete('/admin/oauth2/auth/sessions/consent', route((ctx) => sessions.revokeConsent(parseInput(RevokeConsentSessionsQuery, ctx.query, 'query'))))
    .delete('/admin/oauth2/auth/sessions/login', route((ctx) => sessions.revokeLogin(parseInput(RevokeLoginSessionsQuery, ctx.query, 'query'))));

  const introspect = (form: Record<string, string>, http?: IntrospectionHttp) => deps.introspect(parseInput(IntrospectionRequest, form, 'introspection request'), http);
  const introspectionHttp = (ctx: Koa.Context): IntrospectionHttp => ({ accept: ctx.get('accept') || undefined, authorization: ctx.get('authorization') || undefined, peer: ctx.req.socket.remoteAddress });
  router.post('/admin/oauth2/introspect', formBody(), route((ctx) => introspect(formOf(ctx), introspectionHttp(ctx))));
  router.delete('/admin/oauth2/tokens', route((ctx) => deps.deleteTokens(parseInput(DeleteOAuth2TokensQuery, ctx.query, 'query'))));
  leakAdminRoutes(router, deps.leaks);

  const { trust } = deps;
  if (trust) {
    router
      .post('/admin/trust/grants/jwt-bearer/issuers', json, route((ctx) => trust.create(body(ctx, TrustOAuth2JwtGrantIssuer, 'trust relationship'))))
      .get('/admin/trust/grants/jwt-bearer/issuers', route((ctx) => trust.list(parseInput(ListTrustedIssuersQuery, ctx.query, 'query'), ctx.path)))
      .get('/admin/trust/grants/jwt-bearer/issuers/:id', route((ctx) => trust.get(param(ctx, 'id'))))
      .delete('/admin/trust/grants/jwt-bearer/issuers/:id', route((ctx) => trust.delete(param(ctx, 'id'))));
  }

  metricsRoute(router, deps.metrics ?? noopMetrics);

  const guard = createAdminGuard(deps.guard ?? { allowedHosts: [], tokenDigests: [] });
  const app = new HttpApp().fastPost(['/admin/oauth2/introspect', '/oauth2/introspect'], (form) => introspect(form), {
    logger: deps.logger,
    exposeDebug: deps.exposeDebug,
    headers: ADMIN_HEADERS,
    guard: guard.active ? guard.check : undefined,
    metrics: deps.metrics,
    // RFC 9701: a JWT answer needs the Accept and Authorization headers; koa's route reads them.
    bypass: (req) => wantsIntrospectionJwt(req.headers.accept),
  });
  app.use(commonMiddleware(deps.logger, deps.exposeDebug, deps.metrics));
  // After the prefix: the guard's refusals carry the admin Cache-Control too.
  app.use(adminPrefix);
  app.use(guard.middleware);
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  return app;
}
