import type { Logger } from 'pino';
import { OAuth2Error } from '../../errors/oauth2-error.js';
import { methodNotAllowed, notFound, temporarilyUnavailable } from '../../errors/catalog.js';
import { renderError } from '../../errors/render.js';

/** Errors thrown by koa or the router carry a status; give them our shape. */
function fromHttpError(err: unknown): unknown {
  if (err instanceof OAuth2Error) return err;
  const status = (err as { status?: unknown } | null)?.status;
  // koa-router throws 501 Not Implemented for a method no route has (PROPFIND, TRACE): a client error, as Hydra's router answers it.
  if (status === 405 || status === 501) return methodNotAllowed();
  if (status === 404) return notFound();
  if (isDatabaseUnavailable(err)) return temporarilyUnavailable('The database is not reachable.').withCause(err);
  return err;
}

/**
 * The database is away (refused, restarting, pool exhausted, a statement
 * cancelled by statement_timeout): the caller may retry, so 503, not 500.
 * PostgreSQL classes 08 (connection exception) and 57 (operator
 * intervention: shutdown, cancel) and SQLITE_BUSY count.
 */
function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { name?: string; code?: string; message?: string } | null;
  if (!e) return false;
  if (e.name === 'KnexTimeoutError' || e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET' || e.code === 'SQLITE_BUSY') return true;
  if (typeof e.code === 'string' && /^(08|57)/.test(e.code)) return true;
  return /Connection terminated|not queryable|timeout exceeded when trying to connect/i.test(e.message ?? '');
}

/** RFC 6749 §5.2 (client authentication) and RFC 6750 §3 (bearer tokens). */
function wwwAuthenticate(error: string, status: number): string | undefined {
  if (status === 401 && error === 'invalid_client') return 'Basic realm="tessera"';
  if (status === 401 && error === 'request_unauthorized') return 'Bearer realm="tessera"';
  if (error === 'invalid_token' || error === 'insufficient_scope') return `Bearer realm="tessera", error="${error}"`;
  return undefined;
}

export interface Failure {
  readonly status: number;
  /** The JSON body, serialised. */
  readonly body: string;
  /** The same body's fields, for the HTML error page (http/error-page.ts). */
  readonly fields: { readonly error: string; readonly error_description: string };
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Every response that is not a success leaves through here (koa's and the
 * fast lane's alike): one JSON shape, never a stack trace. Server errors are
 * logged with the request id; their text is not sent.
 */
export function failureRenderer(logger: Logger, exposeDebug: boolean): (caught: unknown, requestId: string) => Failure {
  return (caught, requestId) => {
    const rendered = renderError(fromHttpError(caught), exposeDebug);
    if (rendered.status === 503) {
      // Expected while the database is away; one line, no stack.
      logger.warn({ request_id: requestId, reason: (caught as Error).message }, 'temporarily unavailable');
    } else if (rendered.status >= 500) {
      logger.error({ err: caught, request_id: requestId }, 'request failed');
    }
    const challenge = wwwAuthenticate(rendered.body.error, rendered.status);
    // An error's own challenge (DPoP's scheme, RFC 9449 §7.1) wins over the generic one.
    const headers: Record<string, string> = { ...(challenge ? { 'WWW-Authenticate': challenge } : {}), ...rendered.error.headers };
    return { status: rendered.status, body: JSON.stringify(rendered.body), fields: rendered.body, headers };
  };
}
