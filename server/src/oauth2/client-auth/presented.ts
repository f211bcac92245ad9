import { decodeJwt, decodeProtectedHeader } from 'jose';
import { invalidClient, invalidRequest } from '../../errors/catalog.js';
import { isCleanText } from '../../lib/text.js';
import type { ClientCredentials, Presented } from './types.js';

/** RFC 7523 §2.2. */
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

function formDecode(part: string): string {
  // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
  return decodeURIComponent(part.replace(/\+/g, '%20'));
}

function basic(authorization: string, form: ClientCredentials['form']): Presented {
  if (form.client_secret !== undefined || form.client_assertion !== undefined) {
    throw invalidRequest('Use one client authentication method, not Basic and client_secret or client_assertion together (RFC 6749 §2.3).');
  }
  const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw invalidClient('The Basic credentials are malformed.');
  let id: string;
  let secret: string;
  try {
    id = formDecode(decoded.slice(0, colon));
    secret = formDecode(decoded.slice(colon + 1));
  } catch {
    throw invalidClient('The Basic credentials are not form-urlencoded (RFC 6749 §2.3.1).');
  }
  // The id reaches the client lookup: the same text rules as any parameter (lib/text.ts).
  if (!isCleanText(id) || !isCleanText(secret)) throw invalidClient('The Basic credentials must be UTF-8 text without NUL characters.');
  if (form.client_id !== undefined && form.client_id !== id) throw invalidRequest('client_id differs from the Basic credentials.');
  return { method: 'client_secret_basic', id, secret };
}

/**
 * RFC 7523 §2.2 / §3: the client is the assertion's `iss` (= `sub`), read
 * here unverified only to find the client whose keys verify it; an HMAC
 * algorithm means client_secret_jwt, any other private_key_jwt (OIDC Core §9).
 */
function assertion(form: ClientCredentials['form']): Presented {
  // RFC 6749 §5.2: an unsupported authentication method is invalid_client.
  if (form.client_assertion_type !== JWT_BEARER_ASSERTION) {
    throw invalidClient(`client_assertion_type must be "${JWT_BEARER_ASSERTION}" (RFC 7523 §2.2).`);
  }
  if (form.client_secret !== undefined) throw invalidRequest('Use one client authentication method, not client_secret and client_assertion together (RFC 6749 §2.3).');
  const jwt = form.client_assertion ?? '';
  let iss: unknown;
  let alg: unknown;
  try {
    iss = decodeJwt(jwt).iss;
    alg = decodeProtectedHeader(jwt).alg;
  } catch {
    throw invalidClient('The client assertion is not a JWT (RFC 7523 §2.2).');
  }
  const id = form.client_id ?? iss;
  if (typeof id !== 'string' || id === '' || !isCleanText(id)) throw invalidClient('The client assertion names no client in "iss" (RFC 7523 §3).');
  if (form.client_id !== undefined && iss !== form.client_id) throw invalidClient('client_id differs from the client assertion\'s "iss" (RFC 7523 §3).');
  const method = typeof alg === 'string' && alg.startsWith('HS') ? 'client_secret_jwt' : 'private_key_jwt';
  return { method, id, assertion: jwt };
}

/** What the request presents: exactly one method (RFC 6749 §2.3). */
export function presented({ authorization, form }: ClientCredentials): Presented {
  if (authorization !== undefined && /^basic /i.test(authorization)) return basic(authorization, form);
  if (form.client_assertion !== undefined || form.client_assertion_type !== undefined) return assertion(form);
  const id = form.client_id;
  if (!id) throw invalidClient('No client credentials were sent.');
  const secret = form.client_secret;
  return secret === undefined ? { method: 'none', id } : { method: 'client_secret_post', id, secret };
}
