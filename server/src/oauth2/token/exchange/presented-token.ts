import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { Client } from '../../../clients/client.js';
import { invalidRequest } from '../../../errors/catalog.js';
import { OAuth2Error } from '../../../errors/oauth2-error.js';
import { classifyToken } from '../../../tokens/read.js';
import { AT_JWT_TYP } from '../../../tokens/jwt.js';
import { isActive, type TokenSession } from '../../../tokens/token.js';
import { parseScope, scopeAllowed } from '../../scope.js';
import type { GrantDeps } from '../deps.js';
import { verifiedAssertion } from '../grants/jwt-bearer.js';

/*
 * RFC 8693 §2.1, §3: reading a token exchange's subject_token or
 * actor_token. Three types are accepted:
 *
 * - access_token: an access token of this server, opaque or JWT (RFC 9068),
 *   found and judged as introspection does: stored, of that kind, neither
 *   revoked nor expired. Its scope is the ceiling of the exchange.
 * - id_token: an ID token this server signed (keys/signer.ts), unexpired and
 *   issued to the client presenting it (OIDC Core §2: an ID token is for its
 *   audience); it proves who the user is, not what they consented to, so it
 *   carries no scope. Or a JWT by an issuer of the jwt-bearer trust API.
 * - jwt: either of the above by `iss` (and `typ: at+jwt` for our access
 *   tokens), or a JWT by a trusted issuer.
 *
 * A trusted issuer's JWT is verified as the jwt-bearer grant verifies an
 * assertion (grants/jwt-bearer.ts: the relationship for its `iss`, `sub` and
 * `kid`, its key, `exp` within oauth2.grant.jwt.max_ttl), addressed (`aud`)
 * to this server's token endpoint, its issuer or the presenting client; its
 * scope ceiling is the relationship's scope, narrowed by the JWT's own
 * `scope` claim when it has one. Its `jti` is not spent: a subject token is
 * presented again for each exchange, unlike a one-time assertion.
 *
 * Every refusal is `invalid_request`, as RFC 8693 §2.2.2 requires ("if either
 * the subject_token or actor_token are invalid for any reason").
 */

export const TOKEN_TYPE = {
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
  idToken: 'urn:ietf:params:oauth:token-type:id_token',
} as const;

export type Role = 'subject_token' | 'actor_token';

/** What an exchange takes from a presented token. */
export interface PresentedToken {
  readonly subject: string;
  /** Another issuer's `iss` (the trust API); undefined for this server's tokens. */
  readonly issuer?: string | undefined;
  /** What the exchanged token's scope may not exceed. */
  readonly scope: readonly string[];
  /** Epoch ms: the exchanged token does not outlive it. */
  readonly expiresAt: number;
  /** The token's own `act` (RFC 8693 §4.1), nested under a new actor. */
  readonly act?: Readonly<Record<string, unknown>> | undefined;
  /** RFC 8693 §4.4: who may act for the subject. */
  readonly mayAct?: Readonly<Record<string, unknown>> | undefined;
  /** What the exchanged token carries over from one of our tokens (consent claims, how the user logged in). */
  readonly session: TokenSession;
  /** RFC 9449: the DPoP key one of our access tokens is bound to; the exchange must prove it. */
  readonly jkt?: string | undefined;
}

type Reader = (token: string, client: Client, deps: GrantDeps, role: Role) => Promise<PresentedToken>;

export const refused = (role: Role, why: string): OAuth2Error => invalidRequest(`The ${role} is not acceptable: ${why} (RFC 8693 §2.2.2).`);

const asObject = (value: unknown): Readonly<Record<string, unknown>> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

/** The parts of one of our sessions an exchanged token keeps: not ID token claims, `sid` or a code binding. */
function carried(session: TokenSession): TokenSession {
  const { ext, authTime, acr, amr, forcedSubject } = session;
  return {
    ...(ext ? { ext } : {}),
    ...(authTime !== undefined ? { authTime } : {}),
    ...(acr ? { acr } : {}),
    ...(amr ? { amr } : {}),
    ...(forcedSubject !== undefined ? { forcedSubject } : {}),
  };
}

async function ownAccessToken(token: string, _client: Client, deps: GrantDeps, role: Role): Promise<PresentedToken> {
  const found = await classifyToken(token, deps.strategy, deps.tokenExchange?.jwt);
  if (!found || found.kind !== 'access_token') throw refused(role, 'it is not an access token issued by this server');
  const record = await deps.tokens.get(found.signature);
  if (!record || record.kind !== 'access_token' || !isActive(record, deps.clock.now())) throw refused(role, 'the access token is not active (expired, revoked or unknown)');
  return { subject: record.subject, scope: record.scope, expiresAt: record.expiresAt, act: record.session.act, session: carried(record.session), jkt: record.session.jkt };
}

async function ownIdToken(token: string, client: Client, deps: GrantDeps, role: Role): Promise<PresentedToken> {
  const claims = await deps.tokenExchange?.idTokens.verifyHint(token);
  if (!claims) throw refused(role, 'it is not an ID token signed by this server');
  const expiresAt = Number(claims['exp']) * 1000;
  if (!(expiresAt > deps.clock.now())) throw refused(role, 'the ID token has expired');
  const aud = claims['aud'];
  if (!(Array.isArray(aud) ? aud.includes(client.client_id) : aud === client.client_id)) throw refused(role, 'the ID token was issued to another client');
  // Its `sub` is the pairwise one (OIDC Core §8.1), which cannot be mapped back to the user.
  if (client.subject_type === 'pairwise') throw refused(role, 'ID tokens of a pairwise client carry no local subject');
  return { subject: String(claims['sub']), scope: [], expiresAt, act: asObject(claims['act']), session: {} };
}

async function foreignJwt(token: string, client: Client, deps: GrantDeps, role: Role): Promise<PresentedToken> {
  const trust = deps.jwtBearer;
  if (!trust) throw refused(role, 'it was issued by another issuer, and none is trusted');
  let verified;
  try {
    verified = await verifiedAssertion(token, deps, { audiences: [...trust.audiences, client.client_id], required: ['exp'], maxTtl: trust.maxTtl });
  } catch (err) {
    if (err instanceof OAuth2Error) throw refused(role, err.hint ?? 'it could not be verified');
    throw err;
  }
  const { grant, claims } = verified;
  const own = typeof claims['scope'] === 'string' ? parseScope(claims['scope']) : undefined;
  const scope = own ? own.filter((s) => scopeAllowed(s, grant.scope, deps.scopeStrategy)) : [...grant.scope];
  return {
    subject: String(claims.sub),
    issuer: grant.issuer,
    scope,
    expiresAt: (claims.exp ?? 0) * 1000,
    act: asObject(claims['act']),
    mayAct: asObject(claims['may_act']),
    session: {},
  };
}

/** `iss` and `typ` as the token claims them: only to pick the verification path. */
function unverified(token: string, role: Role): { iss: unknown; typ: unknown } {
  try {
    return { iss: decodeJwt(token).iss, typ: decodeProtectedHeader(token).typ };
  } catch {
    throw refused(role, 'it is not a JWT');
  }
}

const idToken: Reader = async (token, client, deps, role) => (unverified(token, role).iss === deps.issuer ? ownIdToken(token, client, deps, role) : foreignJwt(token, client, deps, role));

const jwt: Reader = async (token, client, deps, role) => {
  const { iss, typ } = unverified(token, role);
  if (iss !== deps.issuer) return foreignJwt(token, client, deps, role);
  return typeof typ === 'string' && typ.toLowerCase() === AT_JWT_TYP ? ownAccessToken(token, client, deps, role) : ownIdToken(token, client, deps, role);
};

/** A Map: the type is request input (DESIGN.md). */
const READERS: ReadonlyMap<string, Reader> = new Map<string, Reader>([
  [TOKEN_TYPE.accessToken, ownAccessToken],
  [TOKEN_TYPE.idToken, idToken],
  [TOKEN_TYPE.jwt, jwt],
]);

export const SUPPORTED_TOKEN_TYPES: readonly string[] = [...READERS.keys()];

export async function readPresentedToken(token: string, type: string, client: Client, deps: GrantDeps, role: Role): Promise<PresentedToken> {
  const read = READERS.get(type);
  if (!read) throw invalidRequest(`The ${role}_type "${type}" is not supported; use one of ${SUPPORTED_TOKEN_TYPES.join(', ')} (RFC 8693 §3).`);
  return read(token, client, deps, role);
}
