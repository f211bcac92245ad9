import type { Knex } from 'knex';
import type { LeakReportStore } from '../ports.js';
import type { LeakReport } from '../../tokens/leaks/report.js';
import { LEAK_OUTCOMES, type LeakOutcome } from '../../tokens/leaks/report.js';
import { TOKEN_KINDS, type ScannedKind } from '../../tokens/leaks/grammar.js';

interface LeakRow {
  id: string;
  reported_at: number | string;
  channel: string;
  sender: string | null;
  token_kind: string | null;
  token_hash: string;
  outcome: string;
  url: string | null;
  source: string | null;
  client_id: string | null;
  subject: string | null;
  family_id: string | null;
  revoked_count: number | string;
}

const toRow = (r: LeakReport): LeakRow => ({
  id: r.id,
  reported_at: r.reportedAt,
  channel: r.channel,
  sender: r.sender,
  token_kind: r.tokenKind,
  token_hash: r.tokenHash,
  outcome: r.outcome,
  url: r.url,
  source: r.source,
  client_id: r.clientId,
  subject: r.subject,
  family_id: r.familyId,
  revoked_count: r.revokedCount,
});

const kindOf = (value: string | null): ScannedKind | null => (value !== null && TOKEN_KINDS.has(value as ScannedKind) ? (value as ScannedKind) : null);
const outcomeOf = (value: string): LeakOutcome => (LEAK_OUTCOMES as readonly string[]).includes(value) ? (value as LeakOutcome) : 'not_ours';

const fromRow = (row: LeakRow): LeakReport => ({
  id: row.id,
  // PostgreSQL returns bigint as a string.
  reportedAt: Number(row.reported_at),
  channel: row.channel === 'public' ? 'public' : 'admin',
  sender: row.sender,
  tokenKind: kindOf(row.token_kind),
  tokenHash: row.token_hash,
  outcome: outcomeOf(row.outcome),
  url: row.url,
  source: row.source,
  clientId: row.client_id,
  subject: row.subject,
  familyId: row.family_id,
  revokedCount: Number(row.revoked_count),
});

export function createLeakReportStore(db: Knex): LeakReportStore {
  const table = () => db<LeakRow>('oauth2_leak_reports');
  return {
    async insert(reports) {
      if (reports.length > 0) await table().insert(reports.map(toRow));
    },
    async list({ limit, before, clientId }) {
      const q = table().orderBy('id', 'desc').limit(limit);
      if (before !== undefined) q.where('id', '<', before);
      if (clientId !== undefined) q.where('client_id', clientId);
      return (await q).map(fromRow);
    },
  };
}
