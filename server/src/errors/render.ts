import { isOAuth2Error, type OAuth2Error } from './oauth2-error.js';
import { serverError } from './catalog.js';

export interface RenderedError {
  readonly status: number;
  readonly body: { error: string; error_description: string };
  readonly error: OAuth2Error;
}

/**
 * The one place that decides what an error looks like on the wire (Hydra v2's
 * non-legacy format: hint, and debug when exposed, folded into the
 * description). Anything that is not an OAuth2Error becomes a bare
 * `server_error`: no message, no stack.
 */
export function renderError(err: unknown, exposeDebug: boolean): RenderedError {
  const error = isOAuth2Error(err) ? err : serverError();
  const parts = [error.description];
  // Hints are written for the caller; debug text may name internals.
  if (error.hint) parts.push(error.hint);
  if (exposeDebug && error.debug) parts.push(error.debug);
  return {
    status: error.status,
    body: { error: error.error, error_description: parts.join(' ') },
    error,
  };
}
