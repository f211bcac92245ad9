import { OAuth2Error } from '../../errors/oauth2-error.js';
import { invalidRequest } from '../../errors/catalog.js';
import type { Clock } from '../../lib/clock.js';
import { hashSecret } from '../../flows/secrets.js';
import type { PushedRequestStore } from '../../storage/ports.js';

/** RFC 9126 §2.2: the URN namespace of pushed requests. */
export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';

export interface PushedDeps {
  readonly pushed: Pick<PushedRequestStore, 'take'>;
  readonly clock: Clock;
}

const invalidRequestUri = (hint: string) =>
  new OAuth2Error({ error: 'invalid_request_uri', status: 400, description: 'The request_uri in the authorization request returns an error or contains invalid data.', hint });

/**
 * `/oauth2/auth?client_id=…&request_uri=…` (RFC 9126 §4): the pushed
 * parameters, taken once; undefined when the request names no pushed
 * request (any other request_uri, a request object by reference, is refused
 * by the request checks, redirected). Only the pushed parameters count:
 * anything else in the URL but `client_id` is ignored. Errors are shown,
 * never redirected: until the pushed request is found there is no trusted
 * redirect_uri.
 */
export async function pushedParams(params: Readonly<Record<string, string>>, deps: PushedDeps): Promise<Record<string, string> | undefined> {
  const uri = params['request_uri'];
  if (!uri?.startsWith(REQUEST_URI_PREFIX)) return undefined;
  const clientId = params['client_id'];
  if (!clientId) throw invalidRequest('The client_id parameter is missing (RFC 9126 §4).');
  const taken = await deps.pushed.take(hashSecret(uri.slice(REQUEST_URI_PREFIX.length)), clientId, deps.clock.now());
  if (!taken) throw invalidRequestUri('The request_uri is unknown, expired, already used, or was pushed by another client.');
  return { ...taken.params };
}
