import type { Client } from '../../../clients/client.js';
import { invalidRequest, unauthorizedClient, unsupportedResponseMode } from '../../../errors/catalog.js';
import { OAuth2Error } from '../../../errors/oauth2-error.js';
import type { ResponseMode } from '../redirect.js';

/**
 * Response types (RFC 6749 §3.1.1, OAuth 2.0 Multiple Response Type Encoding
 * Practices §3–§5, OpenID Connect Core §3.2 and §3.3). A response type is a
 * space-separated set: `code id_token` and `id_token code` are the same one.
 */
export type ResponsePart = 'code' | 'token' | 'id_token';

/** Tokens issued at the authorization endpoint itself (RFC 6749 §4.2); never a token endpoint grant. */
export const IMPLICIT_GRANT = 'implicit';

/** A Map: the parts are request input, and `constructor` must be unknown. */
const PARTS: ReadonlyMap<string, ResponsePart> = new Map([
  ['code', 'code'],
  ['token', 'token'],
  ['id_token', 'id_token'],
]);

/** Every combination served, in canonical (sorted) form: what discovery lists. */
export const RESPONSE_TYPES: readonly string[] = ['code', 'id_token', 'token', 'id_token token', 'code id_token', 'code token', 'code id_token token'];

/** The parts of a response type, sorted; undefined for an empty value, an unknown part or a repeated one. */
export function responseParts(value: string | undefined): readonly ResponsePart[] | undefined {
  if (value === undefined) return undefined;
  const words = value.split(' ').filter((w) => w !== '');
  const parts = new Set<ResponsePart>();
  for (const word of words) {
    const part = PARTS.get(word);
    if (part === undefined || parts.has(part)) return undefined;
    parts.add(part);
  }
  return parts.size === 0 ? undefined : [...parts].sort();
}

/** The canonical spelling of a response type ("id_token code" → "code id_token"), or undefined. */
export function canonicalResponseType(value: string): string | undefined {
  return responseParts(value)?.join(' ');
}

/** Whether a response sends something besides a code through the browser. */
export const isFrontChannel = (parts: readonly ResponsePart[]): boolean => parts.some((p) => p !== 'code');

/**
 * Multiple Response Type Encoding Practices §2.1 and §5: `query` for `code`,
 * `fragment` for every type that returns a token. Decided from the raw
 * parameter, so an error about the response type itself already travels
 * the way the client expects its answer.
 */
export function defaultResponseMode(value: string | undefined): ResponseMode {
  const words = value?.split(' ') ?? [];
  return words.includes('token') || words.includes('id_token') ? 'fragment' : 'query';
}

/**
 * OpenID Connect Registration §2: the grant types each response type needs.
 * `code` is the authorization code grant; anything issued at the
 * authorization endpoint itself is the implicit grant.
 */
export function grantsFor(parts: readonly ResponsePart[]): readonly string[] {
  const grants: string[] = [];
  if (parts.includes('code')) grants.push('authorization_code');
  if (isFrontChannel(parts)) grants.push(IMPLICIT_GRANT);
  return grants;
}

const unsupportedResponseType = (hint: string) =>
  new OAuth2Error({ error: 'unsupported_response_type', status: 400, description: 'The authorization server does not support obtaining a token using this method.', hint });

/** RFC 9700 §2.1.2's reason, given whenever a token-in-the-browser type is refused. */
const IMPLICIT_REASON =
  'Tokens returned from the authorization endpoint travel in the browser (RFC 9700 §2.1.2 advises against it), so a client must register such a response type to use it; new clients should use "code" with PKCE.';

/**
 * The request's response type, checked against the client's registration
 * (order-insensitive, as fosite matches), its grant types and the response
 * mode. Throws errors for the client's redirect URI.
 */
export function checkResponseType(value: string | undefined, client: Client, mode: ResponseMode): readonly ResponsePart[] {
  if (!value) throw invalidRequest('The response_type parameter is missing.');
  const parts = responseParts(value);
  if (!parts) throw unsupportedResponseType(`The response_type "${value}" is not supported; use one of "${RESPONSE_TYPES.join('", "')}".`);
  const type = parts.join(' ');
  if (!client.response_types.some((registered) => canonicalResponseType(registered) === type)) {
    throw unsupportedResponseType(`The client is not registered for response_type "${type}".${isFrontChannel(parts) ? ` ${IMPLICIT_REASON}` : ''}`);
  }
  const missing = grantsFor(parts).find((grant) => !client.grant_types.includes(grant));
  if (missing !== undefined) throw unauthorizedClient(`The client is not allowed to use the grant "${missing}", which response_type "${type}" needs.`);
  // Multiple Response Type Encoding Practices §5: tokens never go in the query.
  if (mode === 'query' && isFrontChannel(parts)) {
    throw unsupportedResponseMode(`response_mode "query" is not allowed for response_type "${type}": tokens must not appear in a URL's query.`);
  }
  return parts;
}
