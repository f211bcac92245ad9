import type { TokenStrategy } from '../hmac.js';

/*
 * The published grammar of opaque tokens (docs/token-format.md), for finding
 * them in text. Every kind is
 *
 *   prefix  body  "."  mac
 *
 * body and mac are each the unpadded base64url of 32 bytes: 43 characters of
 * [A-Za-z0-9_-] whose last one carries 2 bits of padding, so it is one of
 * the 16 characters [AEIMQUYcgkosw048] (RFC 4648 §5, canonical encoding).
 * A match may start anywhere (the prefix anchors it) and must not be
 * followed by another base64url character (a longer look-alike). The same
 * expressions are in scanners/ (secretlint, gitleaks, GitHub), held to the
 * same fixtures by test/scanners.
 */

/** Scanner kind → prefix, every kind the server issues (RFC 8628 device codes included). */
export const TOKEN_KINDS = new Map([
  ['access_token', 'ory_at_'],
  ['refresh_token', 'ory_rt_'],
  ['authorization_code', 'ory_ac_'],
  ['device_code', 'ory_dc_'],
] as const);
export type ScannedKind = typeof TOKEN_KINDS extends Map<infer K, unknown> ? K : never;

const PART = '[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]';
/** One global expression for every kind; group 1 is the two-letter kind. */
export const TOKEN_PATTERN_SOURCE = `ory_(at|rt|ac|dc)_${PART}\\.${PART}(?![A-Za-z0-9_-])`;
const BY_CODE = new Map<string, ScannedKind>([...TOKEN_KINDS].map(([kind, prefix]) => [prefix.slice(4, 6), kind]));

export interface FoundToken {
  readonly token: string;
  readonly kind: ScannedKind;
  /** Offset of the first character in the text. */
  readonly index: number;
}

/** Every token in `text`, in order. */
export function findTokens(text: string): FoundToken[] {
  const found: FoundToken[] = [];
  for (const m of text.matchAll(new RegExp(TOKEN_PATTERN_SOURCE, 'g'))) {
    const kind = BY_CODE.get(m[1] ?? '');
    if (kind !== undefined) found.push({ token: m[0], kind, index: m.index });
  }
  return found;
}

/** What may be shown of a token: its prefix and the first 4 characters of its body (issue-time bits only). */
export function redact(token: string): string {
  return `${token.slice(0, 11)}…`;
}

/** The token's kind when it matches the grammar exactly (whole string), else undefined. */
export function kindOf(token: string): ScannedKind | undefined {
  const m = new RegExp(`^${TOKEN_PATTERN_SOURCE}$`).exec(token);
  return m ? BY_CODE.get(m[1] ?? '') : undefined;
}

/**
 * The lookup key the database keeps for a token whose HMAC verifies under one
 * of the system secrets (offline: no database), else undefined. The MAC
 * covers the body only (tokens/hmac.ts), so the body is checked under a kind
 * every strategy knows, and the key is the same whatever the prefix.
 */
export function lookupKeyOf(strategy: TokenStrategy, token: string): string | undefined {
  const kind = kindOf(token);
  if (kind === undefined) return undefined;
  return strategy.verify('access_token', `ory_at_${token.slice(TOKEN_KINDS.get(kind)?.length ?? 0)}`);
}

export const isAuthentic = (strategy: TokenStrategy, token: string): boolean => lookupKeyOf(strategy, token) !== undefined;

/** Issue time (Unix ms) carried in the first 8 body characters; readable without any secret. */
export function issuedAt(token: string): number | undefined {
  if (kindOf(token) === undefined) return undefined;
  return Buffer.from(token.slice(7, 15), 'base64url').readUIntBE(0, 6);
}
