import type { IntrospectedOAuth2Token, IntrospectionRequest } from '@tessera/sdk';
import type { Clock } from '../../lib/clock.js';
import { json, type HandlerResult } from '../../lib/result.js';
import type { TokenStore } from '../../storage/ports.js';
import type { TokenStrategy } from '../../tokens/hmac.js';
import { isActive } from '../../tokens/token.js';
import { classifyToken, type JwtReader } from '../../tokens/read.js';
import { parseScope } from '../scope.js';

export interface IntrospectDeps {
  readonly tokens: Pick<TokenStore, 'get'>;
  readonly strategy: TokenStrategy;
  readonly clock: Clock;
  readonly issuer: string;
  /** Reads JWT access tokens (RFC 9068) too; absent: opaque tokens only. */
  readonly jwt?: JwtReader | undefined;
}

const INACTIVE = JSON.stringify({ active: false });
const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * RFC 7662 on the admin port, with Hydra's fields. Anything that is not an
 * active access or refresh token, including forged ones (refused by the HMAC
 * check before the database is asked), is just `{"active": false}` (§2.2).
 * With `scope`, the token must carry every scope named.
 */
export async function introspect(request: IntrospectionRequest, deps: IntrospectDeps): Promise<HandlerResult> {
  const inactive: HandlerResult = { kind: 'json', body: INACTIVE };
  const found = await classifyToken(request.token, deps.strategy, deps.jwt);
  if (!found || found.kind === 'authorization_code' || found.kind === 'device_code') return inactive;
  const record = await deps.tokens.get(found.signature);
  if (!record || record.kind !== found.kind || !isActive(record, deps.clock.now())) return inactive;
  if (!parseScope(request.scope).every((s) => record.scope.includes(s))) return inactive;

  // Hydra's Introspection struct (oauth2/introspector.go): `scope` and `ext`
  // are `omitempty`, so an empty scope or an empty `ext` is left out, whatever
  // the grant; `sub` (the client's id for client_credentials), `aud` ([] when
  // none was granted), `iss`, `nbf`, `token_type` and `token_use` are always sent.
  // `username` (password grant) never applies here; `obfuscated_subject` is the pairwise subject (tokens/subject.ts).
  const body: IntrospectedOAuth2Token = {
    active: true,
    ...(record.scope.length > 0 ? { scope: record.scope.join(' ') } : {}),
    client_id: record.clientId,
    sub: record.subject,
    exp: seconds(record.expiresAt),
    iat: seconds(record.issuedAt),
    nbf: seconds(record.issuedAt),
    aud: [...record.audience],
    iss: deps.issuer,
    // RFC 9449 §6.2: a DPoP-bound access token is of type DPoP, and names its key.
    token_type: record.session.jkt !== undefined && record.kind === 'access_token' ? 'DPoP' : 'Bearer',
    token_use: record.kind,
    ...(record.session.ext && Object.keys(record.session.ext).length > 0 ? { ext: { ...record.session.ext } } : {}),
    ...(record.session.obfuscatedSubject ? { obfuscated_subject: record.session.obfuscatedSubject } : {}),
    ...(record.session.jkt !== undefined ? { cnf: { jkt: record.session.jkt } } : {}),
    // RFC 8693 §4.1: a token exchange's actor (extension).
    ...(record.session.act ? { act: { ...record.session.act } } : {}),
  };
  return json(body);
}
