import type { ScannedKind } from './grammar.js';

/** What a leak report did with one token (docs/token-format.md, README "When a token leaks"). */
export const LEAK_OUTCOMES = ['revoked', 'already_inactive', 'not_ours'] as const;
export type LeakOutcome = (typeof LEAK_OUTCOMES)[number];

/** admin: `POST /admin/oauth2/tokens/leaked` (and `tessera scan --report`); public: a signed third-party report. */
export type LeakChannel = 'admin' | 'public';

/** One stored report of one token. Times are epoch milliseconds; the token itself is never kept. */
export interface LeakReport {
  readonly id: string;
  readonly reportedAt: number;
  readonly channel: LeakChannel;
  /** The configured sender of a public report. */
  readonly sender: string | null;
  readonly tokenKind: ScannedKind | null;
  /** SHA-256 of the token, hex. */
  readonly tokenHash: string;
  readonly outcome: LeakOutcome;
  readonly url: string | null;
  readonly source: string | null;
  readonly clientId: string | null;
  readonly subject: string | null;
  readonly familyId: string | null;
  readonly revokedCount: number;
}
