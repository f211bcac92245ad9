import { z } from 'zod';
import { parseDuration } from '../lib/duration.js';
import { dsnOptions } from '../lib/dsn.js';
import { parseHostPattern } from '../lib/host.js';
import { urlProblem } from '../lib/url.js';
import { parseOrigin } from '../lib/origin.js';

/*
 * One schema for the merged YAML + environment configuration. Keys and
 * defaults follow Ory Hydra (`spec/config.json`); every leaf can also be set
 * by the environment variable named after its path (`urls.self.issuer` →
 * URLS_SELF_ISSUER), see env.ts. Environment values arrive as strings, so the
 * leaves below accept both the typed value and its text form.
 */

const toNumber = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v);
const toBoolean = (v: unknown) => {
  if (typeof v !== 'string') return v;
  const t = v.trim().toLowerCase();
  return t === 'true' || t === '1' ? true : t === 'false' || t === '0' || t === '' ? false : v;
};
const toList = (v: unknown) =>
  typeof v === 'string'
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
    : v;

const port = z.preprocess(toNumber, z.number({ error: 'must be a port number (0-65535)' }).int().min(0).max(65535));
const flag = z.preprocess(toBoolean, z.boolean());
/** lib/url.ts: a host after `//`, a port of 1-65535; redirects and discovery are built from these. */
const url = z.string().superRefine((s, ctx) => {
  const problem = urlProblem(s);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `must be an absolute http(s) URL: "${s}" ${problem}` });
  else if (!/^https?:$/.test(new URL(s).protocol)) ctx.addIssue({ code: 'custom', message: 'must be an absolute http(s) URL' });
});
/** A Go duration ("1h", "30m"), parsed to milliseconds. */
const duration = z.string().transform((s, ctx) => {
  const ms = parseDuration(s);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be a duration such as "1h", "30m" or "720h"' });
    return z.NEVER;
  }
  return ms;
});

/**
 * A section that may be left out entirely: it is parsed as `{}` so that the
 * error names the missing leaf (urls.self.issuer), not the section.
 */
const section = <T extends z.ZodObject>(schema: T) => schema.prefault({} as z.input<T>);

const listener = (host: string, portDefault: number) =>
  z
    .object({ host: z.string().default(host), port: port.default(portDefault) })
    .prefault({});

/**
 * Optional protection of the admin port that Hydra does not have (README
 * "Protecting the admin API"): Host names it answers to (against DNS
 * rebinding) and bearer tokens, given as SHA-256 hex digests so the
 * configuration holds nothing a caller could present.
 */
const adminProtection = {
  allowed_hosts: z
    .preprocess(
      toList,
      z.array(
        z.string().transform((s, ctx) => {
          const parsed = parseHostPattern(s);
          if (parsed) return parsed;
          ctx.addIssue({ code: 'custom', message: `"${s}" is not a host name, IP literal or host:port` });
          return z.NEVER;
        }),
      ),
    )
    .default([]),
  auth: z
    .object({
      tokens: z
        .preprocess(
          toList,
          z.array(
            z
              .string()
              .regex(/^[0-9a-fA-F]{64}$/, 'each entry must be the SHA-256 hex digest of a token (printf %s "$TOKEN" | sha256sum), never the token')
              .transform((s) => s.toLowerCase()),
          ),
        )
        .default([]),
    })
    .prefault({}),
};

/**
 * CORS on the public port (README "CORS"): Hydra's `serve.public.cors.*`
 * keys with the defaults of Hydra's driver/config/serve.go, plus DPoP
 * (RFC 9449) among the allowed headers. Off by default, as in Hydra; while
 * off, clients' `allowed_cors_origins` are not used either. Stricter than
 * Hydra: an empty `allowed_origins` allows no origin globally (Hydra reads
 * it as every origin), and `*` needs `allow_credentials: false`.
 */
const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const tokenList = (defaults: readonly string[]) => z.preprocess(toList, z.array(z.string().regex(HTTP_TOKEN, 'must be HTTP tokens (RFC 9110 §5.6.2)'))).default([...defaults]);
const corsOrigin = z.string().transform((s, ctx) => {
  if (s === '*') return s;
  const parsed = parseOrigin(s);
  if ('origin' in parsed) return parsed.origin;
  ctx.addIssue({ code: 'custom', message: parsed.problem });
  return z.NEVER;
});
const publicCors = z
  .object({
    enabled: flag.default(false),
    allowed_origins: z.preprocess(toList, z.array(corsOrigin)).default([]),
    allowed_methods: tokenList(['POST', 'GET', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'HEAD', 'OPTIONS', 'TRACE']),
    allowed_headers: tokenList(['Accept', 'Content-Type', 'Content-Length', 'Accept-Language', 'Content-Language', 'Authorization', 'DPoP']),
    exposed_headers: tokenList(['Cache-Control', 'Expires', 'Last-Modified', 'Pragma', 'Content-Length', 'Content-Language', 'Content-Type']),
    allow_credentials: flag.default(true),
    max_age: z.preprocess(toNumber, z.number().int().min(0)).default(0),
  })
  .refine((c) => !(c.allow_credentials && c.allowed_origins.includes('*')), {
    path: ['allowed_origins'],
    message: '"*" cannot be combined with allow_credentials: true (a credentialed answer must name its origin, Fetch §3.2.5); list the origins or set allow_credentials to false',
  })
  .prefault({});

export const ConfigSchema = z.object({
  /** `memory`, `sqlite://<path>`, or `postgres://user:pass@host:port/db`. */
  dsn: z
    .string({ error: 'is required (memory, sqlite://<path> or postgres://…)' })
    .refine(
      (s) => s === 'memory' || /^sqlite:\/\/.+/.test(s) || /^postgres(ql)?:\/\/.+/.test(s),
      'must be memory, sqlite://<path> or postgres://user:pass@host:port/db',
    )
    .superRefine((s, ctx) => {
      try {
        dsnOptions(s);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
  dev: flag.default(false),
  serve: z
    .object({
      public: listener('0.0.0.0', 4444).unwrap().extend({ cors: publicCors }).prefault({}),
      admin: listener('127.0.0.1', 4445)
        .unwrap()
        .extend({
          ...adminProtection,
          // Hydra has serve.admin.cors; the admin API is never called from a browser page, so it never sends CORS headers.
          cors: z.undefined({ error: 'is not supported: the admin port never sends CORS headers (README "CORS")' }).optional(),
        })
        .prefault({}),
    })
    .prefault({}),
  urls: section(z.object({
    self: section(
      z.object({
        issuer: url.refine((s) => !s.endsWith('/'), 'must not end with a slash (it is used verbatim as `iss`)'),
        public: url.optional(),
        admin: url.optional(),
      }),
    ),
    login: url.optional(),
    consent: url.optional(),
    logout: url.optional(),
    error: url.optional(),
    post_logout_redirect: url.optional(),
  })),
  secrets: section(z.object({
    system: z.preprocess(
      toList,
      z.array(z.string().min(32, 'each secret must be at least 32 characters')).min(1, 'needs at least one secret'),
    ),
    cookie: z.preprocess(toList, z.array(z.string().min(32, 'each secret must be at least 32 characters'))).optional(),
  })),
  ttl: z
    .object({
      access_token: duration.prefault('1h'),
      refresh_token: duration.prefault('720h'),
      id_token: duration.prefault('1h'),
      auth_code: duration.prefault('10m'),
      login_consent_request: duration.prefault('30m'),
      authentication_session: duration.prefault('720h'),
    })
    .prefault({}),
  strategies: z
    .object({
      // Hydra also offers `jwt` (RFC 9068); not built yet, so refused rather than silently ignored.
      access_token: z.enum(['opaque'], { error: 'only "opaque" is supported (JWT access tokens are not built yet)' }).default('opaque'),
      scope: z.enum(['exact', 'wildcard']).default('exact'),
    })
    .prefault({}),
  oauth2: z
    .object({
      expose_internal_errors: flag.default(false),
      pkce: z
        .object({
          enforced: flag.default(false),
          // Stricter than Hydra's default (false): RFC 9700 §2.1.1 requires PKCE for public clients.
          enforced_for_public_clients: flag.default(true),
        })
        .prefault({}),
      backchannel_logout: z
        .object({
          // Off (stricter than Hydra, whose clients.http.disallow_private_ip_ranges defaults to false): SSRF, issue 12.
          allow_private_networks: flag.default(false),
        })
        .prefault({}),
      // Not in Hydra. What one /oauth2/auth or /oauth2/sessions/logout request may make us store (issue 12, class 10).
      authorization_request: z
        .object({ max_bytes: z.preprocess(toNumber, z.number().int().min(1024).max(100 * 1024)).default(8192) })
        .prefault({}),
      // Not in Hydra. Failed checks of admin-chosen (scrypt) client secrets, per client, per process (RFC 6749 §10.10).
      client_auth_throttle: z
        .object({ max_failures: z.preprocess(toNumber, z.number().int().min(0).max(10_000)).default(10), window: duration.prefault('1m') })
        .prefault({}),
    })
    .prefault({}),
  oidc: z
    .object({
      subject_identifiers: z
        .object({
          supported_types: z.preprocess(toList, z.array(z.enum(['public', 'pairwise'])).min(1)).default(['public']),
        })
        .prefault({}),
    })
    .prefault({}),
  keys: z
    .object({
      // How long a new signing key is published (JWKS) before it signs: relying parties that
      // cached the JWKS meanwhile still know the key that signs (README "Which key signs").
      pre_publication: duration.prefault('1m'),
    })
    .prefault({}),
  log: z
    .object({
      level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    })
    .prefault({}),
});

export type Config = z.output<typeof ConfigSchema>;
