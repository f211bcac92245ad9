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
