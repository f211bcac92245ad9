import { invalidRequest, invalidTarget } from '../errors/catalog.js';
import { firstDisallowedAudience, parseScope } from './scope.js';

/*
 * Resource indicators (RFC 8707), an extension beyond Hydra. A `resource`
 * names a protected resource by an absolute URI; the resources a client may
 * name are its allowed `audience` list, and what the access token is for
 * becomes its audience (`aud`), as Hydra's `audience` parameter does.
 *
 * - At /oauth2/auth (and /oauth2/par, /oauth2/device/auth) `resource` and
 *   Hydra's `audience` are two spellings of one request: both go into
 *   `requested_access_token_audience`, and consent grants from it
 *   (`grant_access_token_audience`).
 * - At the token endpoint, on a grant that carries consent (code, refresh,
 *   device code), `resource` narrows the new access token's audience to the
 *   named resources, each of which must have been granted (§2.2); the refresh
 *   token keeps the whole grant, so the next refresh may name another.
 * - With client_credentials (and jwt-bearer) `resource` asks for audiences
 *   just as `audience` does; both together ask for the union.
 *
 * Repeated `resource` parameters arrive joined by a space (lib/params.ts):
 * no URI contains one (RFC 3986 §2), so the list splits back exactly, and a
 * value that had a space arrives as an empty entry, which is refused here.
 */

/** RFC 3986 §3.1: `scheme ":"`, the start of every absolute URI. */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
/** RFC 3986 §2: unreserved, reserved but `#` (RFC 8707 §2: no fragment), and complete percent-encodings; nothing else. */
const URI_TEXT = /^(?:[A-Za-z0-9\-._~:/?[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;

/** An absolute URI (RFC 3986 §4.3) without a fragment, as RFC 8707 §2 wants every `resource` to be. */
export function isResourceIndicator(value: string): boolean {
  return SCHEME.test(value) && URI_TEXT.test(value);
}

/**
 * The resources a request names, in order and without repeats; `[]` when
 * there is no `resource` parameter. Anything that is not an absolute URI
 * without a fragment is `invalid_target` (RFC 8707 §2).
 */
export function parseResources(value: string | undefined): string[] {
  if (value === undefined) return [];
  const resources = value.split(' ');
  const bad = resources.find((r) => !isResourceIndicator(r));
  if (bad !== undefined) {
    throw invalidTarget(bad === '' ? 'A resource parameter is empty or contains a space.' : `The resource "${bad}" is not an absolute URI without a fragment (RFC 8707 §2).`);
  }
  return [...new Set(resources)];
}

/** The first resource not in `allowed`, if any. Resources match exactly, as audiences do (scope.ts). */
const firstNotIn = (resources: readonly string[], allowed: readonly string[]): string | undefined => resources.find((r) => !allowed.includes(r));

/**
 * What a new request asks for as audience: Hydra's `audience` (each allowed
 * for the client, else `invalid_request`, as Hydra answers) and the
 * `resource`s (each allowed for the client, else `invalid_target`), together.
 */
export function requestedAudience(params: { readonly audience?: string | undefined; readonly resource?: string | undefined }, clientAudience: readonly string[]): string[] {
  const audience = parseScope(params.audience);
  const badAudience = firstDisallowedAudience(audience, clientAudience);
  if (badAudience !== undefined) throw invalidRequest(`The client may not request the audience "${badAudience}".`);
  const resources = parseResources(params.resource);
  const badResource = firstNotIn(resources, clientAudience);
  if (badResource !== undefined) throw invalidTarget(`The client may not request the resource "${badResource}"; it is not among the client's audiences.`);
  return [...new Set([...audience, ...resources])];
}

/**
 * RFC 8707 §2.2: the audience of an access token issued from a grant. No
 * `resource`: the whole grant. Otherwise exactly the named resources, each
 * granted and still allowed for the client; anything else is
 * `invalid_target`. The caller keeps `granted` for the refresh token.
 */
export function narrowedAudience(resource: string | undefined, granted: readonly string[], clientAudience: readonly string[]): readonly string[] {
  const resources = parseResources(resource);
  if (resources.length === 0) return granted;
  const notGranted = firstNotIn(resources, granted);
  if (notGranted !== undefined) throw invalidTarget(`The resource "${notGranted}" was not granted to this client by this grant.`);
  const noLonger = firstNotIn(resources, clientAudience);
  if (noLonger !== undefined) throw invalidTarget(`The client may no longer request the resource "${noLonger}".`);
  return resources;
}

/** The parameters as a query string, each resource its own `resource` parameter (the way the client sent them). */
export function withRepeatedResources(params: Readonly<Record<string, string>>): string {
  const query = new URLSearchParams(params);
  const resource = params['resource'];
  if (resource !== undefined) {
    query.delete('resource');
    for (const r of resource.split(' ')) query.append('resource', r);
  }
  return query.toString();
}
