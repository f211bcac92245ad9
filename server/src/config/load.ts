import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { randomToken } from '../lib/crypto.js';
import { deepMerge as merge, isPlain, type Plain } from '../lib/merge.js';
import { ConfigSchema, type Config } from './schema.js';
import { fromEnvironment } from './env.js';
import { unknownEnvironmentKeys, unknownFileKeys, unknownReason } from './strict.js';

/** A configuration that cannot start the server; the CLI prints it as `config error: <key>: <reason>` and exits 2. */
export class ConfigError extends Error {
  readonly key: string;
  readonly reason: string;

  constructor(key: string, reason: string) {
    super(`${key}: ${reason}`);
    this.name = 'ConfigError';
    this.key = key;
    this.reason = reason;
  }
}

export interface LoadOptions {
  /** YAML file (`--config`). */
  readonly file?: string | undefined;
  /** `--dev`: embedded SQLite, generated secret, bundled login app URLs. */
  readonly dev?: boolean | undefined;
  readonly env?: NodeJS.ProcessEnv;
  /** Base for `./data`; the working directory by default. */
  readonly cwd?: string;
  /** Applied last; tests use it. */
  readonly overrides?: Record<string, unknown>;
  readonly warn?: (message: string) => void;
}


function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function readFile(file: string): Plain {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('--config', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError('--config', `${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (!isPlain(doc)) throw new ConfigError('--config', `${file} must hold a YAML mapping`);
  return doc;
}

/** Generated once and kept beside the dev database, so tokens survive restarts. */
function devSecret(dataDir: string, warn: (m: string) => void): string {
  const file = resolve(dataDir, 'system-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomToken(32);
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  warn(`--dev: generated a system secret in ${file}; set SECRETS_SYSTEM in production`);
  return secret;
}

function devDefaults(merged: Plain, cwd: string, warn: (m: string) => void): Plain {
  const serve = isPlain(merged['serve']) ? merged['serve'] : {};
  const pub = isPlain(serve['public']) ? serve['public'] : {};
  const publicPort = Number(pub['port'] ?? 4444);
  const secrets = isPlain(merged['secrets']) ? merged['secrets'] : {};
  const app = 'http://127.0.0.1:3000';
  return {
    dsn: 'sqlite://./data/tessera.sqlite',
    serve: { public: { host: '127.0.0.1' }, admin: { host: '127.0.0.1' } },
    urls: {
      self: { issuer: `http://127.0.0.1:${publicPort}` },
      login: `${app}/login`,
      consent: `${app}/consent`,
      logout: `${app}/logout`,
      device: { verification: `${app}/device`, success: `${app}/device/success` },
    },
    secrets: secrets['system'] === undefined ? { system: [devSecret(resolve(cwd, 'data'), warn)] } : {},
  };
}

/** A relative SQLite path is relative to the working directory at start, made absolute once here. */
function absoluteSqlite(dsn: string, cwd: string): string {
  const prefix = 'sqlite://';
  return dsn.startsWith(prefix) && !dsn.startsWith(`${prefix}/`) ? `${prefix}${resolve(cwd, dsn.slice(prefix.length))}` : dsn;
}

/** The file and the environment, read once, with the keys in them that the schema does not have. */
function readSources(options: LoadOptions, cwd: string): { file: Plain; env: Plain; unknown: ConfigError[] } {
  const file = options.file ? readFile(resolve(cwd, options.file)) : {};
  const vars = options.env ?? process.env;
  const unknown = [
    ...unknownFileKeys(ConfigSchema, file).map((u) => new ConfigError(u.key, unknownReason(u, 'key'))),
    ...unknownEnvironmentKeys(ConfigSchema, vars).map((u) => new ConfigError(u.key, unknownReason(u, 'environment variable'))),
  ];
  return { file, env: fromEnvironment(ConfigSchema, vars), unknown };
}

/** One schema issue as the CLI prints it: the dotted key, and how to set it when it is missing. */
function issueError(issue: z.core.$ZodIssue, merged: Plain): ConfigError {
  const path = issue.path.map(String);
  const key = path.join('.') || '(root)';
  const env = path.filter((p) => !/^\d+$/.test(p)).join('_').toUpperCase();
  const value = path.reduce<unknown>((node, p) => (isPlain(node) ? node[p] : undefined), merged);
  if (issue.code === 'invalid_type' && value === undefined) return new ConfigError(key, `is required (set ${env} or ${key} in the config file)`);
  // `serve:` or `login:` with nothing after it is YAML null: say so rather than "expected object, received null".
  if (issue.code === 'invalid_type' && value === null) return new ConfigError(key, 'has no value in the config file (give it one, or remove the line for the default)');
  return new ConfigError(key, issue.message);
}

/**
 * Every problem of a configuration (unknown keys first: a typo is the likely
 * cause of a "required" one), and the configuration when there is none.
 */
export function evaluateConfig(options: LoadOptions = {}): { config?: Config; problems: ConfigError[] } {
  const cwd = options.cwd ?? process.cwd();
  const warn = options.warn ?? ((m: string) => process.stderr.write(`warning: ${m}\n`));
  const { file, env, unknown } = readSources(options, cwd);
  let merged = merge(merge(file, env), options.overrides ?? {});
  const dev = options.dev === true || merged['dev'] === true || merged['dev'] === 'true';
  if (dev) merged = merge(devDefaults(merged, cwd, warn), { ...merged, dev: true });

  const parsed = ConfigSchema.safeParse(merged);
  const problems = [...unknown, ...(parsed.success ? [] : parsed.error.issues.map((issue) => issueError(issue, merged)))];
  if (!parsed.success || problems.length > 0) return { problems };
  const config = parsed.data;
  config.dsn = absoluteSqlite(config.dsn, cwd);
  return { config: deepFreeze(config), problems };
}

/** The validated, frozen configuration; throws the first problem as a ConfigError. */
export function loadConfig(options: LoadOptions = {}): Config {
  const { config, problems } = evaluateConfig(options);
  if (problems[0] !== undefined || config === undefined) throw problems[0] ?? new ConfigError('(root)', 'is invalid');
  return config;
}

export const MEMORY_IS_PRIVATE =
  'memory is a database inside one `tessera serve` process (which migrates it itself at start); no other process can reach it: use sqlite://<path> or postgres://…';

/**
 * Only the DSN, for `tessera migrate`, `janitor` and `secrets rotate`: migrating needs no issuer or secret.
 * Same sources and precedence as loadConfig, plus `--dsn` on top.
 */
export function loadDsn(options: LoadOptions & { dsn?: string | undefined }): string {
  const cwd = options.cwd ?? process.cwd();
  const { file, env, unknown } = readSources(options, cwd);
  if (unknown[0] !== undefined) throw unknown[0];
  const fallback = options.dev ? 'sqlite://./data/tessera.sqlite' : undefined;
  const dsn = options.dsn ?? env['dsn'] ?? file['dsn'] ?? fallback;
  const parsed = ConfigSchema.shape.dsn.safeParse(dsn);
  if (!parsed.success) {
    throw new ConfigError('dsn', dsn === undefined ? 'is required (--dsn, DSN or the config file)' : (parsed.error.issues[0]?.message ?? 'is invalid'));
  }
  // The commands that use loadDsn work on a database from outside the server; `memory` lives inside one server process.
  if (parsed.data === 'memory') throw new ConfigError('dsn', MEMORY_IS_PRIVATE);
  return absoluteSqlite(parsed.data, cwd);
}

/**
 * Only `secrets.system`, for `tessera secrets rotate` (which needs no issuer):
 * same sources and precedence as loadConfig; `--dev` reads the generated secret.
 */
export function loadSystemSecrets(options: LoadOptions): string[] {
  const cwd = options.cwd ?? process.cwd();
  const { file, env, unknown } = readSources(options, cwd);
  if (unknown[0] !== undefined) throw unknown[0];
  const merged = merge(file, env);
  const given = isPlain(merged['secrets']) ? merged['secrets']['system'] : undefined;
  const warn = options.warn ?? ((m: string) => process.stderr.write(`warning: ${m}\n`));
  const system = given === undefined && options.dev ? [devSecret(resolve(cwd, 'data'), warn)] : given;
  const parsed = ConfigSchema.shape.secrets.safeParse({ system });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = ['secrets', ...(issue?.path ?? []).map(String)].join('.');
    throw new ConfigError(key, system === undefined ? 'is required (set SECRETS_SYSTEM or secrets.system in the config file)' : (issue?.message ?? 'is invalid'));
  }
  return parsed.data.system;
}
