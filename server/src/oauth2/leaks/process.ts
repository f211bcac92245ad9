import { createHash } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import { timeOrderedId } from '../../lib/crypto.js';
import type { DeviceStore, LeakReportStore, TokenStore } from '../../storage/ports.js';
import type { TokenStrategy } from '../../tokens/hmac.js';
import { isActive } from '../../tokens/token.js';
import { kindOf, lookupKeyOf } from '../../tokens/leaks/grammar.js';
import type { LeakChannel, LeakOutcome, LeakReport } from '../../tokens/leaks/report.js';
import type { LeakNotifier } from './webhook.js';
import { judgeDeviceRequest, type Judged } from './device.js';

/*
 * The one place a reported token is judged and acted on, for the admin
 * endpoint, `tessera scan --report` and signed public reports alike:
 *
 *   not our grammar, HMAC fails, or no row   → not_ours (no database write but the report)
 *   our row, but revoked, used or expired    → already_inactive
 *   our live row                             → revoke its whole family → revoked
 *
 * "Whole family" is every token sharing the grant's family id: the code,
 * every access token, every refresh token, whatever rotation produced
 * (RFC 6819 §5.2.2.3 and RFC 9700 §4.14: a stolen refresh token must not
 * outlive the grant). The consent record stays: what leaked is a credential,
 * not the user's decision, and a remembered consent is used only together
 * with the user's own login (README "When a token leaks" gives the command
 * that drops it too). The revocation is one conditional UPDATE whose row
 * count decides: of two reports of one token racing, one says `revoked`.
 */

export interface LeakItem {
  readonly token: string;
  readonly url?: string | undefined;
  readonly source?: string | undefined;
}

export interface LeakDeps {
  readonly tokens: Pick<TokenStore, 'get' | 'revokeFamily'>;
  readonly leakReports: Pick<LeakReportStore, 'insert'>;
  /** Device authorization requests (RFC 8628): a device code is a token row only once approved. */
  readonly devices?: Pick<DeviceStore, 'byDeviceCode' | 'revoke'> | undefined;
  readonly strategy: TokenStrategy;
  readonly clock: Clock;
  /** The owner webhook (absent: not configured). */
  readonly notifier?: LeakNotifier | undefined;
  /** Called once per reported token, after it is recorded (item 6: a metrics counter hooks in here). */
  readonly onOutcome?: ((outcome: LeakOutcome, channel: LeakChannel) => void) | undefined;
}

export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

async function judge(item: LeakItem, deps: LeakDeps, now: number): Promise<Judged> {
  const none = { clientId: null, subject: null, familyId: null, revokedCount: 0 };
  const key = lookupKeyOf(deps.strategy, item.token);
  const record = key === undefined ? undefined : await deps.tokens.get(key);
  if (!record && key !== undefined && kindOf(item.token) === 'device_code' && deps.devices) {
    return (await judgeDeviceRequest(key, { tokens: deps.tokens, devices: deps.devices }, now)) ?? { outcome: 'not_ours', ...none };
  }
  // A token whose prefix was changed is not a token we issued.
  if (!record || record.kind !== kindOf(item.token)) return { outcome: 'not_ours', ...none };
  const owner = { clientId: record.clientId, subject: record.subject, familyId: record.familyId };
  if (!isActive(record, now)) return { outcome: 'already_inactive', ...owner, revokedCount: 0 };
  const revokedCount = await deps.tokens.revokeFamily(record.familyId);
  return { outcome: revokedCount > 0 ? 'revoked' : 'already_inactive', ...owner, revokedCount };
}

/** Judges, acts on and records each item, in order; then notifies owners in the background. */
export async function processLeaks(items: readonly LeakItem[], from: { channel: LeakChannel; sender: string | null }, deps: LeakDeps): Promise<LeakReport[]> {
  const reports: LeakReport[] = [];
  for (const item of items) {
    const now = deps.clock.now();
    const judged = await judge(item, deps, now);
    reports.push({
      id: timeOrderedId(now),
      reportedAt: now,
      channel: from.channel,
      sender: from.sender,
      tokenKind: kindOf(item.token) ?? null,
      tokenHash: tokenHash(item.token),
      url: item.url ?? null,
      source: item.source ?? null,
      ...judged,
    });
  }
  await deps.leakReports.insert(reports);
  for (const report of reports) {
    deps.onOutcome?.(report.outcome, report.channel);
    if (report.clientId !== null) deps.notifier?.notify(report);
  }
  return reports;
}
