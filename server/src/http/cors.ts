import type { Middleware } from 'koa';
import type { Config } from '../config/schema.js';

/*
 * CORS on the public port, with Hydra's semantics (x/oauth2cors/cors.go and
 * rs/cors; README "CORS"). An origin is allowed when it is in
 * `serve.public.cors.allowed_origins`, or, at the endpoints that know a
 * client, in the `allowed_cors_origins` of the client the request names
 * (token and revocation: `client_id` in the form, else the Basic user name;
 * userinfo: the client of the active bearer token). An allowed answer
 * names the origin (never `*` with credentials: the schema refuses that);
 * any other origin gets no CORS headers at all, so the browser withholds the
 * answer from the page without the page learning why. `Vary: Origin` goes
 * on every answer of these endpoints, since the headers depend on it.
 *
 * A preflight carries no credentials and no body, so it cannot name a client:
 * like Hydra, the endpoints that know a client answer it for any origin. The
 * preflight only lets the browser send the request; whether the page may read
 * the answer is decided on that answer, where the client is known (and a form
 * POST without Authorization needs no preflight in the first place).
 *
 * The client is read only for a request that carries an Origin the global
 * list does not allow: a token request without Origin (servers, the hot
 * path) costs no database read. With such an Origin it costs one client read
 * by primary key, after the answer is computed (userinfo: a token read too).
 */

type CorsSettings = Config['serve']['public']['cors'];
export type CorsHeaders = Readonly<Record<string, string>>;

export interface CorsEndpoint {
  /**
   * Where the client whose `allowed_cors_origins` count comes from, if any
   * (Hydra's oauth2cors): the request's client credentials, or its bearer token.
   */
  readonly client?: 'credentials' | 'bearer';
}

/**
 * The endpoints that answer CORS, by path.
 */
export const CORS_ENDPOINTS: ReadonlyMap<string, CorsEndpoint> = new Map<string, CorsEndpoint>([
  ['/oauth2/token', { client: 'credentials' }],
  // RFC 8628 §3.1: the client is named by its credentials, as at the token endpoint.
  ['/oauth2/device/auth', { client: 'credentials' }],
  ['/oauth2/revoke', { client: 'credentials' }],
  ['/userinfo', { client: 'bearer' }],
  ['/.well-known/jwks.json', {}],
  ['/.well-known/openid-configuration', {}],
  ['/.well-known/oauth-authorization-server', {}],
]);

export interface Cors {
  /**
   * The headers of an actual answer when the global list decides; undefined
   * when the client named in the request must (call `forClient`).
   */
  decided(origin: string | undefined, endpoint: CorsEndpoint): CorsHeaders | undefined;
  /** The headers of an actual answer, from the origins of the client the request names. */
  forClient(origin: string, endpoint: CorsEndpoint, request: CorsRequest): Promise<CorsHeaders>;
  /** The headers of a preflight answer (204). */
  preflight(origin: string | undefined, method: string | undefined, requested: string | undefined, endpoint: CorsEndpoint): CorsHeaders;
}

/** What of a request names its client: the form (undefined when unreadable) and the Authorization header. */
export interface CorsRequest {
  readonly form: Readonly<Record<string, string>> | undefined;
  readonly authorization: string | undefined;
}

export interface CorsLookups {
  /** A client's allowed origins, or undefined for an unknown client. */
  readonly clientOrigins: (clientId: string) => Promise<readonly string[] | undefined>;
  /** The client of an active access token, or undefined. */
  readonly tokenClient: (accessToken: string) => Promise<string | undefined>;
}

const VARY = { Vary: 'Origin' } as const;
const PREFLIGHT_VARY = { Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers' } as const;

export function createCors(settings: CorsSettings, { clientOrigins, tokenClient }: CorsLookups): Cors {
  const origins = new Set(settings.allowed_origins);
  const anyOrigin = origins.has('*');
  const methods = new Set(settings.allowed_methods.map((m) => m.toUpperCase()));
  const headers = new Set(settings.allowed_headers.map((h) => h.toLowerCase()));
  const credentials: CorsHeaders = settings.allow_credentials ? { 'Access-Control-Allow-Credentials': 'true' } : {};
  const exposed: CorsHeaders = settings.exposed_headers.length > 0 ? { 'Access-Control-Expose-Headers': settings.exposed_headers.join(', ') } : {};
  const maxAge: CorsHeaders = settings.max_age > 0 ? { 'Access-Control-Max-Age': String(settings.max_age) } : {};
  const preflightAllows = {
    'Access-Control-Allow-Methods': settings.allowed_methods.join(', '),
    'Access-Control-Allow-Headers': settings.allowed_headers.join(', '),
    ...maxAge,
  };
  // `*` is only configurable without credentials (schema.ts), and then answered as `*`.
  const allowOrigin = (origin: string) => ({ 'Access-Control-Allow-Origin': anyOrigin ? '*' : origin, ...credentials });
  const globallyAllowed = (origin: string) => anyOrigin || origins.has(origin);
  // The answers to globally allowed origins, built once: spreading them per request cost ~1.7 µs.
  const actualFor = new Map([...origins].map((o) => [o, { ...VARY, ...allowOrigin(o), ...exposed }]));
  const anyActual = actualFor.get('*');

  return {
    decided(origin, endpoint) {
      if (origin === undefined) return VARY;
      const global = anyActual ?? actualFor.get(origin);
      if (global) return global;
      return endpoint.client ? undefined : VARY;
    },
    async forClient(origin, endpoint, { form, authorization }) {
      let allowed: readonly string[] | undefined;
      try {
        const clientId = endpoint.client === 'credentials' ? namedClient(form, authorization) : await bearerClient(authorization, tokenClient);
        allowed = clientId ? await clientOrigins(clientId) : undefined;
      } catch {
        // The answer itself reports a failing store; without the client, the origin is not allowed.
        return VARY;
      }
      return allowed?.includes(origin) ? { ...VARY, 'Access-Control-Allow-Origin': origin, ...credentials, ...exposed } : VARY;
    },
    preflight(origin, method, requested, endpoint) {
      if (origin === undefined || method === undefined) return PREFLIGHT_VARY;
      if (!globallyAllowed(origin) && !endpoint.client) return PREFLIGHT_VARY;
      if (!methods.has(method.toUpperCase())) return PREFLIGHT_VARY;
      const names = (requested ?? '').split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
      if (names.some((h) => !headers.has(h))) return PREFLIGHT_VARY;
      const allowed = globallyAllowed(origin) ? allowOrigin(origin) : { 'Access-Control-Allow-Origin': origin, ...credentials };
      return { ...PREFLIGHT_VARY, ...allowed, ...preflightAllows };
    },
  };
}

/** The client a token or revocation request names, as Hydra reads it: `client_id` in the form, else the Basic user name. */
export function namedClient(form: Readonly<Record<string, string>> | undefined, authorization: string | undefined): string | undefined {
  const fromForm = form?.['client_id'];
  if (fromForm) return fromForm;
  if (authorization === undefined || !/^basic /i.test(authorization)) return undefined;
  const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    // RFC 6749 §2.3.1: the id is form-urlencoded before Basic encoding.
    return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, '%20'));
  } catch {
    return undefined;
  }
}

/** Hydra's oauth2cors: a Bearer (or DPoP, RFC 9449 §7.1) request names the client its access token was issued to. */
function bearerClient(authorization: string | undefined, tokenClient: CorsLookups['tokenClient']): Promise<string | undefined> | undefined {
  const token = authorization === undefined ? undefined : /^(?:bearer|dpop) (.+)$/i.exec(authorization)?.[1];
  return token === undefined ? undefined : tokenClient(token.trim());
}

/** The CORS headers of an actual answer, for the fast lane and koa alike: no lookup unless the global list leaves it open. */
export function actualHeaders(cors: Cors, endpoint: CorsEndpoint, origin: string | undefined, request: CorsRequest): CorsHeaders | Promise<CorsHeaders> {
  return cors.decided(origin, endpoint) ?? cors.forClient(origin ?? '', endpoint, request);
}

/**
 * Koa: the CORS headers of an actual answer, failures included (the page
 * needs to read `invalid_grant` as much as a token). Placed before the body
 * parser; the client is read once the body was (or could not be) parsed.
 */
export function corsActual(cors: Cors, endpoint: CorsEndpoint): Middleware {
  return async (ctx, next) => {
    const origin = ctx.get('origin') || undefined;
    const decided = cors.decided(origin, endpoint);
    if (decided) {
      ctx.set(decided);
      return next();
    }
    let failed = false;
    let failure: unknown;
    try {
      await next();
    } catch (caught) {
      failed = true;
      failure = caught;
    }
    const form = ctx.request.body as Readonly<Record<string, string>> | undefined;
    ctx.set(await actualHeaders(cors, endpoint, origin, { form, authorization: ctx.get('authorization') || undefined }));
    if (failed) throw failure;
  };
}

/** Koa: the answer to a preflight (`OPTIONS`), 204 with or without CORS headers. */
export function corsPreflight(cors: Cors, endpoint: CorsEndpoint): Middleware {
  return (ctx) => {
    ctx.set(cors.preflight(ctx.get('origin') || undefined, ctx.get('access-control-request-method') || undefined, ctx.get('access-control-request-headers') || undefined, endpoint));
    ctx.status = 204;
  };
}
