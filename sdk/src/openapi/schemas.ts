import { z } from 'zod';
import { JsonPatchDocument, OAuth2Client, OAuth2ClientInput, OAuth2ClientTokenLifespans } from '../contract/clients.js';
import { DiscoveryDocument } from '../contract/discovery.js';
import { ErrorResponse } from '../contract/errors.js';
import {
  AcceptDeviceUserCodeRequest,
  AcceptOAuth2ConsentRequest,
  AcceptOAuth2LoginRequest,
  OAuth2ConsentRequest,
  OAuth2ConsentSession,
  OAuth2LoginRequest,
  OAuth2LogoutRequest,
  OAuth2RedirectTo,
  OidcContext,
  RejectOAuth2Request,
} from '../contract/flows.js';
import { HealthNotReady, HealthStatus, Version } from '../contract/health.js';
import { CreateJsonWebKeySet, JsonWebKey, JsonWebKeySet, JsonWebKeySetInput } from '../contract/keys.js';
import {
  AuthorizationRequest,
  DeviceAuthorization,
  DeviceAuthorizationRequest,
  EndSessionRequest,
  IntrospectedOAuth2Token,
  IntrospectionRequest,
  OidcUserInfo,
  RevocationRequest,
  TokenRequest,
  TokenResponse,
} from '../contract/oauth2.js';
import type { Component } from './table.js';

export type JsonSchema = { [keyword: string]: unknown };

/** The contract schemas that get a name in `components.schemas`; anything else is written in place. */
export const components: readonly Component[] = [
  { name: 'OAuth2Client', schema: OAuth2Client, description: 'A client as the admin API answers it (Hydra v2 `oAuth2Client`).' },
  { name: 'OAuth2ClientInput', schema: OAuth2ClientInput, description: 'The fields a caller may send to create or replace a client; unknown fields are ignored.' },
  { name: 'OAuth2ClientTokenLifespans', schema: OAuth2ClientTokenLifespans, description: 'Per-client token lifespans, Go durations (`1h`, `30m`); `null` for the default.' },
  { name: 'JsonPatchDocument', schema: JsonPatchDocument, description: 'RFC 6902 operations.' },
  { name: 'OidcContext', schema: OidcContext, description: 'The OpenID Connect parameters of the authorization request.' },
  { name: 'OAuth2LoginRequest', schema: OAuth2LoginRequest, description: 'What the login app reads.' },
  { name: 'AcceptOAuth2LoginRequest', schema: AcceptOAuth2LoginRequest, description: 'Who logged in, and whether to remember it.' },
  { name: 'OAuth2ConsentRequest', schema: OAuth2ConsentRequest, description: 'What the consent app reads.' },
  { name: 'AcceptOAuth2ConsentRequest', schema: AcceptOAuth2ConsentRequest, description: 'What is granted, and the claims for the tokens.' },
  { name: 'RejectOAuth2Request', schema: RejectOAuth2Request, description: 'The error the client receives; `access_denied` by default.' },
  { name: 'OAuth2RedirectTo', schema: OAuth2RedirectTo, description: 'Where to send the browser.' },
  { name: 'AcceptDeviceUserCodeRequest', schema: AcceptDeviceUserCodeRequest, description: 'The user code the user typed (RFC 8628 §3.3).' },
  { name: 'DeviceAuthorizationRequest', schema: DeviceAuthorizationRequest, description: 'RFC 8628 §3.1.' },
  { name: 'DeviceAuthorization', schema: DeviceAuthorization, description: 'RFC 8628 §3.2 (Hydra `deviceAuthorization`).' },
  { name: 'OAuth2LogoutRequest', schema: OAuth2LogoutRequest, description: 'What the logout app reads.' },
  { name: 'OAuth2ConsentSession', schema: OAuth2ConsentSession, description: 'A consent given, with the request it answered.' },
  { name: 'JsonWebKey', schema: JsonWebKey, description: 'A JSON Web Key (RFC 7517).' },
  { name: 'JsonWebKeySet', schema: JsonWebKeySet, description: 'A JSON Web Key Set (RFC 7517 §5).' },
  { name: 'JsonWebKeySetInput', schema: JsonWebKeySetInput, description: 'The keys a set is replaced with.' },
  { name: 'CreateJsonWebKeySet', schema: CreateJsonWebKeySet, description: 'The key to generate.' },
  { name: 'IntrospectionRequest', schema: IntrospectionRequest, description: 'RFC 7662 §2.1.' },
  { name: 'IntrospectedOAuth2Token', schema: IntrospectedOAuth2Token, description: 'RFC 7662 §2.2, with Hydra\'s fields.' },
  { name: 'TokenRequest', schema: TokenRequest, description: 'RFC 6749 §4.1.3, §4.4.2, §6; each grant checks its own parameters.' },
  { name: 'TokenResponse', schema: TokenResponse, description: 'RFC 6749 §5.1.' },
  { name: 'RevocationRequest', schema: RevocationRequest, description: 'RFC 7009 §2.1.' },
  { name: 'AuthorizationRequest', schema: AuthorizationRequest, description: 'The parameters the authorization endpoint reads.' },
  { name: 'EndSessionRequest', schema: EndSessionRequest, description: 'The parameters the end-session endpoint reads.' },
  { name: 'OidcUserInfo', schema: OidcUserInfo, description: 'OpenID Connect Core §5.3.2.' },
  { name: 'DiscoveryDocument', schema: DiscoveryDocument, description: 'OpenID Connect Discovery 1.0 §3 / RFC 8414 §2 metadata.' },
  { name: 'ErrorResponse', schema: ErrorResponse, description: 'Every error, on both ports (RFC 6749 §5.2 shape, as Hydra v2 sends it).' },
  { name: 'HealthStatus', schema: HealthStatus, description: 'Healthy.' },
  { name: 'HealthNotReady', schema: HealthNotReady, description: 'What does not answer.' },
  { name: 'Version', schema: Version, description: 'The running version.' },
];

const REF = '#/components/schemas/';
const INLINE = '__inline_';

/**
 * JSON Schema 2020-12 (what OpenAPI 3.1 uses) of the components and of every
 * other schema in `used`, in one conversion so that a component nested
 * anywhere becomes a `$ref`. Converted as input (`io: 'input'`): the document
 * says what each receiver accepts, so defaults are optional and extra
 * response fields are allowed (the SDK ignores them).
 */
export interface Converted {
  /** `components.schemas`. */
  readonly named: Record<string, JsonSchema>;
  /** Where a schema is used: a `$ref` to its component, or the schema itself. */
  readonly of: (schema: z.ZodType) => JsonSchema;
  /** The schema itself, even a component's (to split an object into parameters). */
  readonly expanded: (schema: z.ZodType) => JsonSchema;
}

export function convert(used: Iterable<z.ZodType>): Converted {
  const registry = z.registry<{ id: string }>();
  const ids = new Map<z.ZodType, string>();
  for (const { name, schema } of components) {
    registry.add(schema, { id: name });
    ids.set(schema, name);
  }
  for (const schema of used) {
    if (ids.has(schema)) continue;
    const id = `${INLINE}${ids.size}`;
    registry.add(schema, { id });
    ids.set(schema, id);
  }
  const { schemas } = z.toJSONSchema(registry, { target: 'draft-2020-12', io: 'input', uri: (id) => `${REF}${id}` });

  const resolved = new Map<string, JsonSchema>();
  const resolve = (id: string): JsonSchema => {
    const done = resolved.get(id);
    if (done) return done;
    const { $schema: _s, $id: _i, ...rest } = schemas[id] ?? {};
    const out = inlineRefs(rest, resolve) as JsonSchema;
    resolved.set(id, out);
    return out;
  };
  const named = Object.fromEntries(components.map(({ name, description }) => [name, { description, ...resolve(name) }]));
  const idOf = (schema: z.ZodType): string => {
    const id = ids.get(schema);
    if (id === undefined) throw new Error('openapi: a schema was used that was not converted');
    return id;
  };
  const of = (schema: z.ZodType): JsonSchema => {
    const id = idOf(schema);
    return id.startsWith(INLINE) ? resolve(id) : { $ref: `${REF}${id}` };
  };
  return { named, of, expanded: (schema) => resolve(idOf(schema)) };
}

/** A schema registered only to be converted has no name: its `$ref`s are replaced by the schema itself. */
function inlineRefs(value: unknown, resolve: (id: string) => JsonSchema): unknown {
  if (Array.isArray(value)) return value.map((v) => inlineRefs(v, resolve));
  if (typeof value !== 'object' || value === null) return value;
  const ref = (value as { $ref?: unknown }).$ref;
  if (typeof ref === 'string' && ref.startsWith(`${REF}${INLINE}`)) return resolve(ref.slice(REF.length));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inlineRefs(v, resolve)]));
}

/** Names of the components `value` refers to, directly or through other components. */
export function referencedComponents(value: unknown, named: Readonly<Record<string, JsonSchema>>, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) referencedComponents(v, named, found);
  } else if (typeof value === 'object' && value !== null) {
    const ref = (value as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && ref.startsWith(REF) && !found.has(ref.slice(REF.length))) {
      const name = ref.slice(REF.length);
      found.add(name);
      referencedComponents(named[name], named, found);
    }
    for (const v of Object.values(value)) referencedComponents(v, named, found);
  }
  return found;
}
