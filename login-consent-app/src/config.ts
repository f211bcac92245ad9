import { randomBytes } from 'node:crypto';
import { DEFAULT_THROTTLE, type ThrottlePolicy } from './users/throttle.js';
import { loadScopeTexts, type ScopeText } from './oidc/scope-texts.js';

/** What the operator says about the consent screen (issue 19). */
export interface ConsentOptions {
  /** SCOPE_DESCRIPTIONS_FILE: texts for scopes, over the built-in ones. */
  readonly scopeTexts: ReadonlyMap<string, ScopeText>;
  /** FIRST_PARTY_CLIENT_IDS: clients run by the operator of this app; every other client is marked "third-party". */
  readonly firstPartyClients: ReadonlySet<string>;
}

export interface AppConfig {
  readonly port: number;
  readonly host: string;
  readonly dev: boolean;
  /** Tessera's admin API, the only way this app talks to Tessera. */
  readonly adminUrl: string;
  /** TESSERA_ADMIN_TOKEN: sent as a bearer token when Tessera's admin API asks for one (serve.admin.auth.tokens). */
  readonly adminToken?: string | undefined;
  /** Tessera's public URL (the issuer): only the --dev demo relying party uses it. */
  readonly publicUrl: string;
  /** Where browsers reach this app: only the --dev demo uses it, for its redirect URIs. */
  readonly appUrl: string;
  readonly dsn: string;
  /** Key of the CSRF tokens; the same on every instance of the app. */
  readonly cookieSecret: string;
  readonly trustProxy: boolean;
  readonly throttle: ThrottlePolicy;
  /** Scope texts and first-party clients; none when absent. */
  readonly consent?: ConsentOptions | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

function port(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`PORT must be a port number, got "${value}"`);
  return n;
}

function url(name: string, value: string | undefined, fallback: string): string {
  const raw = value || fallback;
  try {
    return new URL(raw).href.replace(/\/+$/, '');
  } catch {
    throw new ConfigError(`${name} must be an absolute URL, got "${raw}"`);
  }
}

function consentOptions(env: Env): ConsentOptions {
  const file = env['SCOPE_DESCRIPTIONS_FILE'];
  let scopeTexts: ReadonlyMap<string, ScopeText> = new Map();
  if (file) {
    try {
      scopeTexts = loadScopeTexts(file);
    } catch (err) {
      throw new ConfigError(`SCOPE_DESCRIPTIONS_FILE ${file}: ${(err as Error).message}`);
    }
  }
  const ids = (env['FIRST_PARTY_CLIENT_IDS'] ?? '').split(',').map((id) => id.trim()).filter(Boolean);
  return { scopeTexts, firstPartyClients: new Set(ids) };
}

/**
 * From the environment (and `--dev`). Outside --dev, COOKIE_SECRET is
 * required: a generated one would differ between instances and restarts,
 * and every open form would fail its CSRF check.
 */
export function loadAppConfig(env: Env, flags: { dev: boolean }): AppConfig {
  const p = port(env['PORT'], 3000);
  const secret = env['COOKIE_SECRET'];
  if (!flags.dev && (secret === undefined || secret.length < 32)) {
    throw new ConfigError('COOKIE_SECRET must be set to at least 32 random characters (e.g. `openssl rand -base64 32`); --dev generates one');
  }
  return {
    port: p,
    host: env['HOST'] || '127.0.0.1',
    dev: flags.dev,
    adminUrl: url('TESSERA_ADMIN_URL', env['TESSERA_ADMIN_URL'], 'http://127.0.0.1:4445'),
    adminToken: env['TESSERA_ADMIN_TOKEN'] || undefined,
    publicUrl: url('TESSERA_PUBLIC_URL', env['TESSERA_PUBLIC_URL'], 'http://127.0.0.1:4444'),
    appUrl: url('APP_URL', env['APP_URL'], `http://127.0.0.1:${p}`),
    dsn: env['DSN'] || 'sqlite://./data/login-app.sqlite',
    cookieSecret: secret && secret.length >= 32 ? secret : randomBytes(32).toString('base64url'),
    trustProxy: env['TRUST_PROXY'] === 'true' || env['TRUST_PROXY'] === '1',
    throttle: DEFAULT_THROTTLE,
    consent: consentOptions(env),
  };
}
