import { parseDuration } from './duration.js';

/**
 * Tessera's own DSN query parameters (Hydra uses the same style:
 * `?max_conns=`). Durations are Go-style. They are taken out of the DSN
 * before the rest goes to the driver.
 */
export interface DsnOptions {
  /** PostgreSQL: schema to work in. */
  readonly searchPath?: string | undefined;
  /** PostgreSQL pool size (at least 2). */
  readonly maxConns: number;
  /** How long a request waits for a pooled connection before failing with 503. */
  readonly acquireTimeoutMs: number;
  /** PostgreSQL: longest a statement may run; SQLite: how long to wait for a lock. */
  readonly statementTimeoutMs: number;
  /** PostgreSQL: how long opening a connection may take. */
  readonly connectTimeoutMs: number;
}

const DEFAULTS: DsnOptions = { maxConns: 10, acquireTimeoutMs: 5_000, statementTimeoutMs: 10_000, connectTimeoutMs: 5_000 };
export const DSN_PARAMETERS = ['search_path', 'max_conns', 'acquire_timeout', 'statement_timeout', 'connect_timeout'] as const;

function duration(params: URLSearchParams, name: string, fallback: number): number {
  const text = params.get(name);
  if (text === null) return fallback;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new Error(`${name} must be a positive duration such as "5s"`);
  return ms;
}

/** Reads our parameters from the DSN's query; throws with the parameter's name when one is malformed. */
export function dsnOptions(dsn: string): DsnOptions {
  const query = dsn.includes('?') ? dsn.slice(dsn.indexOf('?') + 1) : '';
  const params = new URLSearchParams(query);
  const max = params.get('max_conns');
  const maxConns = max === null ? DEFAULTS.maxConns : Number(max);
  if (!Number.isInteger(maxConns) || maxConns < 2 || maxConns > 1000) throw new Error('max_conns must be a whole number from 2 to 1000');
  return {
    searchPath: params.get('search_path') ?? undefined,
    maxConns,
    acquireTimeoutMs: duration(params, 'acquire_timeout', DEFAULTS.acquireTimeoutMs),
    statementTimeoutMs: duration(params, 'statement_timeout', DEFAULTS.statementTimeoutMs),
    connectTimeoutMs: duration(params, 'connect_timeout', DEFAULTS.connectTimeoutMs),
  };
}

/** The DSN without our parameters, for the driver. */
export function driverDsn(dsn: string): string {
  if (!dsn.includes('?')) return dsn;
  const [base, query = ''] = [dsn.slice(0, dsn.indexOf('?')), dsn.slice(dsn.indexOf('?') + 1)];
  const params = new URLSearchParams(query);
  for (const name of DSN_PARAMETERS) params.delete(name);
  const rest = params.toString();
  return rest ? `${base}?${rest}` : base;
}

/**
 * The database kind and where it is, for the start-up log line: never the
 * user, password or query of a PostgreSQL DSN (a `password=` parameter or an
 * `sslkey` path may sit there), only host, port and database.
 */
export function describeDsn(dsn: string): { kind: 'memory' | 'sqlite' | 'postgres'; location: string } {
  if (dsn === 'memory') return { kind: 'memory', location: 'in this process' };
  if (dsn.startsWith('sqlite://')) return { kind: 'sqlite', location: dsn.slice('sqlite://'.length).split('?')[0] ?? '' };
  try {
    const url = new URL(dsn);
    return { kind: 'postgres', location: `${url.host || 'localhost'}${url.pathname}` };
  } catch {
    return { kind: 'postgres', location: '(unparsable DSN)' };
  }
}
