import { createPublicKey } from 'node:crypto';
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

const port = z.preprocess(toNumber, z.number({ error: 'must be a port number (0-65535)' }).int().min(0).max(65535)).meta({ kind: 'port' });
const flag = z.preprocess(toBoolean, z.boolean()).meta({ kind: 'boolean' });
/** lib/url.ts: a host after `//`, a port of 1-65535; redirects and discovery are built from these. */
const url = z.string().superRefine((s, ctx) => {
  const problem = urlProblem(s);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `must be an absolute http(s) URL: "${s}" ${problem}` });
  else if (!/^https?:$/.test(new URL(s).protocol)) ctx.addIssue({ code: 'custom', message: 'must be an absolute http(s) URL' });
}).meta({ kind: 'URL' });
/** A Go duration ("1h", "30m"), parsed to milliseconds. */
const duration = z.string().transform((s, ctx) => {
  const ms = parseDuration(s);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be a duration such as "1h", "30m" or "720h"' });
    return z.NEVER;
  }
  return ms;
}).meta({ kind: 'duration' });

/** A structured value given as JSON text (an environment variable); anything else is left to the schema. */
const fromJson = (v: unknown) => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
};

/** A PEM (SPKI) ECDSA public key. */
const ecPublicKey = z.string().superRefine((s, ctx) => {
  try {
    if (createPublicKey(s).asymmetricKeyType !== 'ec') ctx.addIssue({ code: 'custom', message: 'must be an ECDSA public key' });
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a PEM public key' });
  }
}).describe('PEM (SPKI) ECDSA public key.');

/**
 * A section that may be left out entirely: it is parsed as `{}` so that the
 * error names the missing leaf (urls.self.issuer), not the section.
 */
const section = <T extends z.ZodObject>(schema: T) => schema.prefault({} as z.input<T>);

const listener = (host: string, portDefault: number, what: string) =>
  z
    .object({
      host: z.string().default(host).describe(`Interface the ${what} listens on (\`--dev\`: 127.0.0.1).`),
      port: port.default(portDefault).describe(`Port of the ${what} (0: any free port).`),
    })
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
    .default([])
    .meta({ kind: 'list of host names, IP literals or host:port' })
    .describe('Host header values the admin port answers to (against DNS rebinding); empty: any. README "Protecting the admin API". Not in Hydra.'),
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
        .default([])
        .meta({ kind: 'list of SHA-256 hex digests' })
        .describe('Digests (`printf %s "$TOKEN" | sha256sum`) of the bearer tokens the admin API accepts; empty: none needed. Never the tokens themselves. Not in Hydra.'),
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
    enabled: flag.default(false).describe('CORS on the public port (Hydra\'s key): answers for the token, revocation, userinfo, JWKS and discovery endpoints, and their preflights (README "CORS").'),
    allowed_origins: z
      .preprocess(toList, z.array(corsOrigin))
      .default([])
      .describe('Origins (`scheme://host[:port]`) allowed on every CORS endpoint; a client\'s `allowed_cors_origins` add to it at the token, revocation and userinfo endpoints. Empty: none (Hydra: all). `*` only with allow_credentials false.'),
    allowed_methods: tokenList(['POST', 'GET', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'HEAD', 'OPTIONS', 'TRACE']).describe('Methods a preflight answer allows (Hydra\'s default list).'),
    allowed_headers: tokenList(['Accept', 'Content-Type', 'Content-Length', 'Accept-Language', 'Content-Language', 'Authorization', 'DPoP']).describe('Request headers a preflight answer allows (Hydra\'s list, and DPoP).'),
    exposed_headers: tokenList(['Cache-Control', 'Expires', 'Last-Modified', 'Pragma', 'Content-Length', 'Content-Language', 'Content-Type', 'DPoP-Nonce']).describe('Response headers a page may read (Access-Control-Expose-Headers; Hydra\'s list, and DPoP-Nonce).'),
    allow_credentials: flag.default(true).describe('Send Access-Control-Allow-Credentials: true (Hydra\'s default).'),
    max_age: z.preprocess(toNumber, z.number().int().min(0)).default(0).describe('Seconds a browser may cache a preflight answer (0: not sent).'),
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
    })
    .meta({ kind: 'DSN', example: 'postgres://tessera@127.0.0.1:5432/tessera' })
    .describe('The database: `memory` (one process, gone when it stops), `sqlite://<path>` or `postgres://user:pass@host:port/db`, with optional `?max_conns=…&acquire_timeout=…&statement_timeout=…&connect_timeout=…&search_path=…` (README "DSN forms"). `--dev`: sqlite://./data/tessera.sqlite.'),
  dev: flag.default(false).describe('Same as `--dev`: SQLite in ./data, migrations at start, a generated secret, local URLs. Never in production.'),
  serve: z
    .object({
      public: listener('0.0.0.0', 4444, 'public API').unwrap().extend({ cors: publicCors }).prefault({}),
      // Hydra has serve.admin.cors; the admin API is never called from a browser page, so it never sends CORS
      // headers, and the key is unknown here (strict.ts stops start-up on it).
      admin: listener('127.0.0.1', 4445, 'admin API').unwrap().extend(adminProtection).prefault({}),
    })
    .prefault({}),
  urls: section(z.object({
    self: section(
      z.object({
        issuer: url
          .refine((s) => !s.endsWith('/'), 'must not end with a slash (it is used verbatim as `iss`)')
          .meta({ example: 'https://auth.example.com' })
          .describe('The issuer (`iss`), used verbatim: no trailing slash. `--dev`: `http://127.0.0.1:<public port>`.'),
        public: url.optional().describe('Base URL of the public endpoints, when not the issuer.'),
        admin: url.optional().describe('Base URL of the admin API.'),
      }),
    ),
    login: url.optional().meta({ example: 'https://login.example.com/login' }).describe('The login app (`--dev`: http://127.0.0.1:3000/login).'),
    consent: url.optional().meta({ example: 'https://login.example.com/consent' }).describe('The consent app (`--dev`: http://127.0.0.1:3000/consent).'),
    logout: url.optional().describe('The logout app (`--dev`: http://127.0.0.1:3000/logout).'),
    error: url.optional().describe('Where errors that cannot be redirected to the client are shown.'),
    post_logout_redirect: url.optional().describe('Where a logout without a client redirect ends.'),
    device: z
      .object({
        verification: url
          .optional()
          .meta({ example: 'https://login.example.com/device' })
          .describe("The login app's page where users enter a device's user code (RFC 8628 `verification_uri`; `--dev`: http://127.0.0.1:3000/device)."),
        success: url.optional().describe('Where the browser ends after approving a device (`--dev`: http://127.0.0.1:3000/device/success).'),
      })
      .prefault({}),
  })),
  secrets: section(z.object({
    system: z.preprocess(
      toList,
      z.array(z.string().min(32, 'each secret must be at least 32 characters')).min(1, 'needs at least one secret'),
    ).meta({ kind: 'list of strings, each ≥ 32 characters' }).describe('The first signs and encrypts, all verify and decrypt: rotate by prepending a new one, then `tessera secrets rotate`. Keep it in the environment, not in a file. `--dev`: generated into ./data/system-secret.'),
    cookie: z
      .preprocess(toList, z.array(z.string().min(32, 'each secret must be at least 32 characters')))
      .optional()
      .meta({ kind: 'list of strings, each ≥ 32 characters' })
      .describe("Accepted for Hydra compatibility and unused: Tessera's cookies carry random values checked against stored hashes."),
  })),
  ttl: z
    .object({
      access_token: duration.prefault('1h').describe('Lifetime of access tokens.'),
      refresh_token: duration.prefault('720h').describe('Lifetime of refresh tokens.'),
      id_token: duration.prefault('1h').describe('Lifetime of ID tokens.'),
      auth_code: duration.prefault('10m').describe('Lifetime of authorization codes.'),
      login_consent_request: duration.prefault('30m').describe('How long a login, consent or logout request waits for the login app.'),
      authentication_session: duration.prefault('720h').describe('How long a remembered login session lasts.'),
      device_user_code: duration.prefault('10m').describe('Lifetime of device codes and user codes (RFC 8628 `expires_in`).'),
    })
    .prefault({}),
  strategies: z
    .object({
      access_token: z
        .enum(['opaque', 'jwt'])
        .default('opaque')
        .describe('Access token format unless the client sets `access_token_strategy`: `opaque` (`ory_at_…`) or `jwt` (RFC 9068, signed by hydra.jwt.access-token); README "Opaque or JWT access tokens".'),
      scope: z.enum(['exact', 'wildcard']).default('exact').describe("How a requested scope matches the client's: `exact`, or `wildcard` (an allowed `foo.*` covers `foo.bar`; Hydra's default)."),
    })
    .prefault({}),
  oauth2: z
    .object({
      expose_internal_errors: flag.default(false).describe('Append debug text to `error_description` (development only).'),
      pkce: z
        .object({
          enforced: flag.default(false).describe('Require PKCE from every client.'),
          // Stricter than Hydra's default (false): RFC 9700 §2.1.1 requires PKCE for public clients.
          enforced_for_public_clients: flag.default(true).describe('Require PKCE from public clients (RFC 9700 §2.1.1; Hydra: false).'),
        })
        .prefault({}),
      backchannel_logout: z
        .object({
          // Off (stricter than Hydra, whose clients.http.disallow_private_ip_ranges defaults to false): SSRF, issue 12.
          allow_private_networks: flag
            .default(false)
            .describe('Let `backchannel_logout_uri` reach loopback and private networks, over plain http too (SSRF: off by default, unlike Hydra).'),
        })
        .prefault({}),
      // Not in Hydra. What one /oauth2/auth or /oauth2/sessions/logout request may make us store (issue 12, class 10).
      authorization_request: z
        .object({
          max_bytes: z
            .preprocess(toNumber, z.number().int().min(1024).max(100 * 1024))
            .default(8192)
            .describe('Largest new /oauth2/auth or /oauth2/sessions/logout request, form-urlencoded as stored; larger ones get 400 invalid_request. Not in Hydra.'),
        })
        .prefault({}),
      // Not in Hydra (oidc-provider's features.dPoP): RFC 9449, README "DPoP".
      dpop: z
        .object({
          signing_algorithms: z
            .preprocess(toList, z.array(z.enum(['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512'])).min(1))
            .default(['ES256', 'EdDSA', 'Ed25519', 'PS256', 'RS256'])
            .describe('JWS algorithms accepted for DPoP proofs, advertised as `dpop_signing_alg_values_supported` (RFC 9449 §5.1). Not in Hydra.'),
          proof_max_age: duration.prefault('60s').describe('How old a DPoP proof\'s `iat` may be (RFC 9449 §4.3 item 11); its `jti` is remembered that long. Not in Hydra.'),
          clock_skew: duration.prefault('10s').describe('How far a DPoP proof\'s `iat` may lie in the future, and older than proof_max_age (clock differences). Not in Hydra.'),
          nonce: z
            .object({
              required: flag
                .default(false)
                .describe('Require a server nonce in every DPoP proof (RFC 9449 §8, §9): a proof without a current one gets `use_dpop_nonce` and a `DPoP-Nonce` header. Not in Hydra.'),
              lifetime: duration
                .prefault('5m')
                .describe('A nonce is derived from the system secret and the current period of this length: every process knows it without storing it; it is accepted for up to two periods. Not in Hydra.'),
            })
            .prefault({}),
        })
        .prefault({}),
      // Not in Hydra (oidc-provider's pushedAuthorizationRequests): RFC 9126.
      pushed_authorization_requests: z
        .object({
          required: flag
            .default(false)
            .describe('Accept authorization requests only through POST /oauth2/par (RFC 9126 §5); per client: `require_pushed_authorization_requests`. Not in Hydra.'),
          ttl: duration.prefault('60s').describe('How long a `request_uri` from POST /oauth2/par stays usable (`expires_in`, RFC 9126 §2.2). Not in Hydra.'),
        })
        .prefault({}),
      device_authorization: z
        .object({
          token_polling_interval: duration
            .prefault('5s')
            .describe('RFC 8628 `interval`: how long a device waits between polls; faster polls get `slow_down` and 5 s more (unlike Hydra, enforced; `0s`: not enforced).'),
          // Not in Hydra. A user code has ~34.6 bits (20^8); these bound the guesses (README "Device flow").
          user_code_throttle: z
            .object({
              per_challenge: z
                .preprocess(toNumber, z.number().int().min(1).max(100))
                .default(5)
                .describe('Wrong user codes one device challenge (one visit of the code page) may enter before it is spent. Not in Hydra.'),
              per_network: z
                .preprocess(toNumber, z.number().int().min(1).max(100_000))
                .default(20)
                .describe('Wrong user codes entered from one IP address (IPv6: /64) per window before its entries are refused. Not in Hydra.'),
              window: duration.prefault('1h').describe('The per-network window. Not in Hydra.'),
            })
            .prefault({}),
        })
        .prefault({}),
      // Not in Hydra. Failed checks of admin-chosen (scrypt) client secrets, per client, per process (RFC 6749 §10.10).
      client_auth_throttle: z
        .object({
          max_failures: z
            .preprocess(toNumber, z.number().int().min(0).max(10_000))
            .default(10)
            .describe('Failed checks of an admin-chosen client secret per client and window, per process, before 429 (0: off). Not in Hydra.'),
          window: duration.prefault('1m').describe('The throttle window, from the first failure.'),
        })
        .prefault({}),
      // Not in Hydra (issue 18, README "When a token leaks").
      leak_reports: z
        .object({
          owner_webhook: z
            .object({
              allow_private_networks: flag.default(false).describe('Let the webhook reach loopback and private networks, over plain http too (SSRF: off by default).'),
              url: url.optional().describe("Where each leak report of a client's token is POSTed (signed JSON) for the client's owner (none while left out)."),
              secret: z.string().min(32).optional().describe('Key of the HMAC-SHA256 `Tessera-Signature` header of each notification (at least 32 characters); required with `url`.'),
            })
            .prefault({})
            .refine((w) => w.url === undefined || w.secret !== undefined, { message: 'secret is required when url is set', path: ['secret'] }),
          public: z
            .object({
              enabled: flag.default(false).describe('Serve POST /oauth2/tokens/leaked on the public port for signed third-party reports (GitHub secret scanning).'),
              senders: z
                .preprocess(
                  fromJson,
                  z.array(
                  z.object({
                    id: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,31}$/, 'must be letters and digits').describe('Names the headers `<id>-Public-Key-Identifier` and `<id>-Public-Key-Signature` (GitHub: `github`).'),
                    public_keys: z
                      .array(z.object({ key_identifier: z.string().min(1).max(256).describe('As sent in `<id>-Public-Key-Identifier`.'), key: ecPublicKey }))
                      .min(1)
                      .describe("The sender's ECDSA public keys (GitHub publishes its own at its secret-scanning public-keys API)."),
                  }),
                  ),
                )
                .refine((senders) => new Set(senders.map((s) => s.id.toLowerCase())).size === senders.length, 'sender ids must differ (they name HTTP headers, whose names ignore case)')
                .default([])
                .describe('Who may report, with which keys: a list of `{id, public_keys: [{key_identifier, key}]}` (in the environment, as JSON).'),
              rate_limit: z
                .object({
                  requests: z.preprocess(toNumber, z.number().int().min(1).max(100_000)).default(60).describe('Signed-report requests per caller address (IPv6: per /64) and window, per process, before 429.'),
                  window: duration.prefault('1m').describe('The rate-limit window.'),
                })
                .prefault({}),
            })
            .prefault({}),
        })
        .prefault({}),
      // Not in Hydra (fosite has no bound): private_key_jwt and client_secret_jwt assertions (RFC 7523 §3, OIDC Core §9).
      client_assertion: z
        .object({
          max_ttl: duration.prefault('1h').describe('How far in the future a client assertion\'s `exp` may be; its `jti` is remembered until then. Not in Hydra.'),
          jwks_uri: z
            .object({
              allow_private_networks: flag.default(false).describe('Let clients\' `jwks_uri` reach loopback and private networks (SSRF: off by default; `--dev` allows loopback).'),
              cache_ttl: duration.prefault('10m').describe('How long a fetched `jwks_uri` is used before it is fetched again (an unknown `kid` refetches sooner).'),
              timeout: duration.prefault('5s').describe('Time limit of one `jwks_uri` fetch.'),
            })
            .prefault({}),
        })
        .prefault({}),
      client_secret_rotation: z
        .object({
          grace_period: duration.prefault('24h').describe('How long the previous secret stays valid after POST /admin/clients/{id}/secret, unless the request says otherwise. Not in Hydra.'),
        })
        .prefault({}),
      grant: z
        .object({
          jwt: z
            .object({
              jti_optional: flag.default(false).describe('Accept jwt-bearer assertions without `jti` (RFC 7523 §3 makes it optional; Hydra requires it unless this is set).'),
              iat_optional: flag.default(false).describe('Accept jwt-bearer assertions without `iat`.'),
              max_ttl: duration.prefault('720h').describe('How far in the future a jwt-bearer assertion\'s `exp` may be.'),
            })
            .prefault({}),
        })
        .prefault({}),
    })
    .prefault({}),
  oidc: z
    .object({
      subject_identifiers: z
        .object({
          supported_types: z
            .preprocess(toList, z.array(z.enum(['public', 'pairwise'])).min(1))
            .default(['public'])
            .describe('Subject identifier types offered (OIDC Core §8); `pairwise` needs `pairwise.salt`.'),
          pairwise: z
            .object({
              salt: z
                .string()
                .min(8, 'at least 8 characters')
                .optional()
                .describe('Salt of pairwise subjects (OIDC Core §8.1): hex SHA-256 of sector host, subject and salt, as Hydra. Changing it changes every pairwise subject.'),
            })
            .prefault({}),
        })
        .superRefine((value, ctx) => {
          if (value.supported_types.includes('pairwise') && !value.pairwise.salt) {
            ctx.addIssue({ code: 'custom', path: ['pairwise', 'salt'], message: 'is required when supported_types includes "pairwise"' });
          }
        })
        .prefault({}),
      dynamic_client_registration: z
        .object({
          enabled: flag.default(false).describe('Serve OpenID Connect Dynamic Client Registration (RFC 7591/7592) at /oauth2/register.'),
          default_scope: z
            .preprocess(toList, z.array(z.string()))
            .default(['openid', 'offline', 'offline_access'])
            .describe('Scope of a client registered without one.'),
          // Not in Hydra: registrations are writes anybody can make.
          max_per_minute: z
            .preprocess(toNumber, z.number().int().min(0).max(100_000))
            .default(20)
            .describe('Registrations per caller network (IPv4 address, IPv6 /64) and minute, per process, before 429 (0: off). Not in Hydra.'),
        })
        .prefault({}),
    })
    .prefault({}),
  keys: z
    .object({
      // How long a new signing key is published (JWKS) before it signs: relying parties that
      // cached the JWKS meanwhile still know the key that signs (README "Which key signs").
      pre_publication: duration
        .prefault('24h')
        .describe('How long a new signing key is published before it signs (`0s`: at once, as in Hydra; `--dev`: `0s`); README "Which key signs".'),
    })
    .prefault({}),
  log: z
    .object({
      level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info').describe('Log level (pino); `silent` mutes.'),
    })
    .prefault({}),
});

export type Config = z.output<typeof ConfigSchema>;
