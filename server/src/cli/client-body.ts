import { OAuth2ClientInput } from '@tessera/sdk';
import { UsageError } from './errors.js';

/*
 * The client fields the `clients create|update` flags set, checked before any
 * request: enums against the values OpenID Connect Registration and the
 * RFCs define, the whole body against the admin API's contract schema.
 */

export type Values = Readonly<Record<string, string | boolean | readonly string[] | undefined>>;

/** Flag → client field, and whether the flag repeats (a list). */
const FIELDS: ReadonlyArray<readonly [flag: string, field: string, kind: 'string' | 'list']> = [
  ['id', 'client_id', 'string'],
  ['name', 'client_name', 'string'],
  ['secret', 'client_secret', 'string'],
  ['redirect-uri', 'redirect_uris', 'list'],
  ['grant-type', 'grant_types', 'list'],
  ['response-type', 'response_types', 'list'],
  ['scope', 'scope', 'string'],
  ['audience', 'audience', 'list'],
  ['token-endpoint-auth-method', 'token_endpoint_auth_method', 'string'],
  ['post-logout-redirect-uri', 'post_logout_redirect_uris', 'list'],
  ['owner', 'owner', 'string'],
  ['logo-uri', 'logo_uri', 'string'],
  ['client-uri', 'client_uri', 'string'],
  ['policy-uri', 'policy_uri', 'string'],
  ['tos-uri', 'tos_uri', 'string'],
  ['contact', 'contacts', 'list'],
  ['allowed-cors-origin', 'allowed_cors_origins', 'list'],
  ['backchannel-logout-uri', 'backchannel_logout_uri', 'string'],
  ['frontchannel-logout-uri', 'frontchannel_logout_uri', 'string'],
  ['access-token-strategy', 'access_token_strategy', 'string'],
];

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none', 'tls_client_auth', 'self_signed_tls_client_auth'];
const GRANT_TYPES = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'implicit',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:token-exchange',
];
const RESPONSE_WORDS = new Set(['code', 'token', 'id_token', 'none']);
const STRATEGIES = ['opaque', 'jwt'];

function oneOf(flag: string, value: string, allowed: readonly string[]): void {
  if (!allowed.includes(value)) throw new UsageError(`--${flag} "${value}" is not one of: ${allowed.join(', ')}`);
}

function checkEnums(v: Values): void {
  const list = (flag: string) => (Array.isArray(v[flag]) ? (v[flag] as string[]) : typeof v[flag] === 'string' ? [v[flag] as string] : []);
  for (const m of list('token-endpoint-auth-method')) oneOf('token-endpoint-auth-method', m, AUTH_METHODS);
  for (const g of list('grant-type')) oneOf('grant-type', g, GRANT_TYPES);
  for (const s of list('access-token-strategy')) oneOf('access-token-strategy', s, STRATEGIES);
  for (const r of list('response-type')) {
    // OAuth 2.0 Multiple Response Type Encoding: space-separated words, e.g. "code id_token".
    if (!r.split(' ').every((word) => RESPONSE_WORDS.has(word))) throw new UsageError(`--response-type "${r}" is not made of: code, token, id_token, none`);
  }
}

function metadataOf(v: Values): Record<string, unknown> | undefined {
  const raw = v['metadata'];
  if (typeof raw !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new UsageError('--metadata takes a JSON object, e.g. \'{"team":"billing"}\'');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError('--metadata takes a JSON object');
  return parsed as Record<string, unknown>;
}

/** The fields the flags name (only those), validated; `skip-consent` is a switch. */
export function clientFields(v: Values): Record<string, unknown> {
  checkEnums(v);
  const body: Record<string, unknown> = {};
  for (const [flag, field, kind] of FIELDS) {
    const value = v[flag];
    if (value === undefined) continue;
    body[field] = kind === 'list' ? (Array.isArray(value) ? [...value] : [value]) : value;
  }
  if (v['skip-consent'] === true) body['skip_consent'] = true;
  const metadata = metadataOf(v);
  if (metadata) body['metadata'] = metadata;
  assertClient(body, 'the flags');
  return body;
}

/** The admin API's own schema, before any request: a field of the wrong type is a usage error naming it. */
export function assertClient(body: unknown, where: string): void {
  const parsed = OAuth2ClientInput.safeParse(body);
  if (parsed.success) return;
  const issue = parsed.error.issues[0];
  const path = issue?.path.join('.') || '(the client)';
  throw new UsageError(`${where}: ${path}: ${issue?.message ?? 'invalid'}`);
}
