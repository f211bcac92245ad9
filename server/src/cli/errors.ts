/** Wrong words on the command line: printed with the usage hint, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

interface NetError {
  code?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
  errors?: unknown;
}

/** Node reports a refused `localhost` (both ::1 and 127.0.0.1) as an AggregateError: the first attempt names the host. */
function firstAttempt(err: NetError): NetError {
  const inner = Array.isArray(err.errors) ? (err.errors[0] as NetError | undefined) : undefined;
  return inner && typeof inner === 'object' ? { ...inner, code: err.code ?? inner.code } : err;
}

/**
 * One line for a database that cannot be reached or refuses the login, with
 * the fix, instead of the driver's stack (issue 19): `database error: cannot
 * connect to PostgreSQL at 127.0.0.1:5433 (ECONNREFUSED): is it running? check dsn`.
 * Undefined when the error is something else.
 */
export function databaseErrorLine(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = firstAttempt(err as NetError);
  const code = typeof e.code === 'string' ? e.code : '';
  if (NETWORK_CODES.has(code)) {
    const host = typeof e.address === 'string' ? `${e.address.includes(':') ? `[${e.address}]` : e.address}${typeof e.port === 'number' ? `:${e.port}` : ''}` : String(e.hostname ?? 'its host');
    return `database error: cannot connect to PostgreSQL at ${host} (${code}): is it running? check dsn`;
  }
  // SQLSTATE class 28 (invalid authorization) and 3D000 (no such database): the DSN names the wrong role, password or database.
  if (/^28[0-9A-Z]{3}$/.test(code) || code === '3D000') return `database error: PostgreSQL refused the connection: ${(err as Error).message}: check dsn`;
  return undefined;
}
