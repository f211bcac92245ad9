import type { TokenKind } from './hmac.js';

/**
 * What a grant carries from consent to every token of its family. Optional
 * fields belong to the authorization-code flow.
 */
export interface TokenSession {
  /** Consent `session.access_token`: introspection's `ext`, JWT access token claims. */
  readonly ext?: Readonly<Record<string, unknown>>;
  /** Consent `session.id_token`: extra ID token and userinfo claims. */
  readonly idToken?: Readonly<Record<string, unknown>>;
  /** When the user authenticated (ms): ID token `auth_time`. */
  readonly authTime?: number;
  readonly acr?: string;
  readonly amr?: readonly string[];
  /** The login session id: ID token `sid`. */
  readonly sid?: string;
  /** The login app's `force_subject_identifier`: a pairwise client's subject instead of the hash (tokens/subject.ts). */
  readonly forcedSubject?: string;
  /** The pairwise subject (ID tokens, userinfo) when it differs from the local one; set at issuance. */
  readonly obfuscatedSubject?: string;
  /**
   * RFC 9449 §6: the thumbprint of the DPoP key the token is bound to (`cnf.jkt`); access tokens, and refresh
   * tokens of public clients (§5). Set at issuance from the token request's proof, never copied from a parent.
   */
  readonly jkt?: string;
  /** RFC 8693 §4.1: the actor of a token exchange (`sub`, maybe `iss`, and an earlier `act` nested); introspection and JWT access tokens show it. */
  readonly act?: Readonly<Record<string, unknown>>;
  /** Authorization codes only: what the token request must match. */
  readonly code?: CodeBinding;
}

/** RFC 6749 §4.1.3, RFC 7636 §4.5, OIDC Core §3.1.2.1: what a code is bound to. */
export interface CodeBinding {
  readonly redirectUri: string;
  readonly redirectUriSent: boolean;
  readonly codeChallenge?: string | undefined;
  readonly codeChallengeMethod?: 'S256' | 'plain' | undefined;
  readonly nonce?: string | undefined;
  /** RFC 9449 §10: `dpop_jkt` of the authorization request; the exchange must prove this key. */
  readonly dpopJkt?: string | undefined;
}

/** A stored access token, refresh token or authorization code. Times are epoch milliseconds. */
export interface TokenRecord {
  readonly signature: string;
  readonly kind: TokenKind;
  /** Every token descending from one grant shares it; revoking a family revokes them all. */
  readonly familyId: string;
  readonly clientId: string;
  readonly subject: string;
  readonly scope: readonly string[];
  readonly audience: readonly string[];
  readonly session: TokenSession;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly usedAt: number | null;
  readonly revoked: boolean;
}

/** Active: neither revoked, nor used (codes, refresh tokens), nor expired. */
export function isActive(record: TokenRecord, now: number): boolean {
  return !record.revoked && record.usedAt === null && record.expiresAt > now;
}

/** `session` bound to `jkt`, or to nothing: a token's binding is its own request's (RFC 9449 §5), never inherited. */
export function withBinding(session: TokenSession, jkt: string | undefined): TokenSession {
  if (session.jkt === jkt) return session;
  const { jkt: _previous, ...rest } = session;
  return jkt === undefined ? rest : { ...rest, jkt };
}
