import type { Client } from '../../clients/client.js';
import { serverError } from '../../errors/catalog.js';
import type { IdTokenSigner } from '../../keys/signer.js';
import type { ClientStore } from '../../storage/ports.js';
import type { TokenStrategy } from '../../tokens/hmac.js';
import { idTokenClaims, seconds } from '../../tokens/id-token.js';
import { lifespan } from '../../tokens/lifespans.js';
import type { TokenRecord, TokenSession } from '../../tokens/token.js';
import type { ConsentOutcome, Flow, LoginOutcome } from '../../flows/flow.js';
import type { ResponsePart } from './checks/response-type.js';
import { grantSession } from '../../flows/consent/record.js';
import { mintAccessToken, type AccessTokenFormats } from '../token/access-token.js';
import { withVisibleSubject } from '../token/issue.js';

export interface AuthorizationIssueDeps {
  readonly clients: Pick<ClientStore, 'get'>;
  readonly strategy: TokenStrategy;
  readonly signer: Pick<IdTokenSigner, 'sign'>;
  readonly issuer: string;
  readonly ttl: { readonly authCode: number; readonly accessToken: number; readonly idToken: number };
  /** JWT access tokens (RFC 9068), as at the token endpoint; absent: opaque. */
  readonly accessTokens?: AccessTokenFormats | undefined;
  /** `oidc.subject_identifiers.pairwise.salt` (tokens/subject.ts). */
  readonly pairwiseSalt?: string | undefined;
}

/** What the authorization response carries, and the rows to store (in the flow's final transaction). */
export interface AuthorizationGrant {
  readonly params: Record<string, string | undefined>;
  readonly records: TokenRecord[];
}

interface Granted {
  readonly flow: Flow;
  readonly login: LoginOutcome;
  readonly consent: ConsentOutcome;
  readonly now: number;
}

/** A flow stored before implicit and hybrid responses asked for a code. */
export const responsePartsOf = (flow: Flow): readonly ResponsePart[] => flow.request.responseType ?? ['code'];

/**
 * Mints what the response type asks for (RFC 6749 §4.1.2 and §4.2.2, OIDC
 * Core §3.2.2.5 and §3.3.2.5): a code, an access token, an ID token, or a
 * mix. Tokens issued here take the client's implicit lifespans and never
 * include a refresh token (RFC 6749 §4.2.2); the ID token carries `at_hash`
 * and `c_hash` for what travels beside it. Every row joins the flow's family,
 * so consent revocation, logout and code reuse reach it.
 */
export async function authorizationGrant(granted: Granted, deps: AuthorizationIssueDeps): Promise<AuthorizationGrant> {
  const { flow, login, consent, now } = granted;
  const parts = responsePartsOf(flow);
  const { request } = flow;
  const session = grantSession(flow, login, consent, now);
  const base = { familyId: flow.id, clientId: flow.clientId, subject: login.subject, audience: consent.grantAudience, issuedAt: now, usedAt: null, revoked: false };
  const scope = consent.grantScope.join(' ');
  const records: TokenRecord[] = [];
  const params: Record<string, string | undefined> = {};

  if (parts.includes('code')) {
    const code = deps.strategy.mint('authorization_code');
    const binding = {
      redirectUri: request.redirectUri,
      redirectUriSent: request.redirectUriSent,
      codeChallenge: request.codeChallenge,
      codeChallengeMethod: request.codeChallengeMethod,
      nonce: request.nonce,
      ...(request.dpopJkt !== undefined ? { dpopJkt: request.dpopJkt } : {}),
    };
    records.push({ ...base, signature: code.signature, kind: 'authorization_code', scope: consent.grantScope, session: { ...session, code: binding }, expiresAt: now + deps.ttl.authCode });
    Object.assign(params, { code: code.token, scope });
  }
  if (parts.length === 1 && parts[0] === 'code') return { params, records };

  const client = await deps.clients.get(flow.clientId);
  if (!client) throw serverError().withDebug('the client of a finished consent is gone');
  // OIDC Core §8.1: the pairwise subject for the ID token, recorded with the access token for userinfo and introspection.
  const visible = withVisibleSubject(session, client, login.subject, deps.pairwiseSalt);
  if (parts.includes('token')) {
    const ttl = lifespan(client, 'implicit_grant_access_token_lifespan', deps.ttl.accessToken);
    const grant = { client, familyId: flow.id, subject: login.subject, scope: consent.grantScope, audience: consent.grantAudience, session: visible, now, ttl };
    const access = await mintAccessToken(grant, deps);
    records.push(access.record);
    Object.assign(params, { access_token: access.token, token_type: 'bearer', expires_in: String(seconds(ttl)), scope });
  }
  if (parts.includes('id_token')) params['id_token'] = await idToken(client, granted, visible, params, deps);
  return { params, records };
}

async function idToken(client: Client, granted: Granted, session: TokenSession, params: Record<string, string | undefined>, deps: AuthorizationIssueDeps): Promise<string> {
  const { flow, login, now } = granted;
  const ttl = lifespan(client, 'implicit_grant_id_token_lifespan', deps.ttl.idToken);
  const subject = session.obfuscatedSubject ?? login.subject;
  const claims = idTokenClaims({ issuer: deps.issuer, clientId: client.client_id, subject, session, nonce: flow.request.nonce }, now, ttl);
  return deps.signer.sign(claims, { alg: client.id_token_signed_response_alg, accessToken: params['access_token'], code: params['code'] });
}
