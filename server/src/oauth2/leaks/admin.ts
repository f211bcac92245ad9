import type { LeakedTokenResult, LeakReport as LeakReportBody, ListLeakReportsQuery, ReportLeakedTokens } from '@tessera/sdk';
import { invalidRequest } from '../../errors/catalog.js';
import { json, type HandlerResult } from '../../lib/result.js';
import type { LeakReportStore } from '../../storage/ports.js';
import type { LeakReport } from '../../tokens/leaks/report.js';
import { processLeaks, type LeakDeps } from './process.js';

/** `POST /admin/oauth2/tokens/leaked` (extension, issue 18): one result per token, in order, never the token. */
export async function reportLeaked(request: ReportLeakedTokens, deps: LeakDeps): Promise<HandlerResult> {
  const reports = await processLeaks(request, { channel: 'admin', sender: null }, deps);
  const body: LeakedTokenResult[] = reports.map((r) => ({
    token_hash: r.tokenHash,
    ...(r.tokenKind !== null ? { token_type: r.tokenKind } : {}),
    outcome: r.outcome,
    ...(r.clientId !== null ? { client_id: r.clientId } : {}),
    revoked_count: r.revokedCount,
    report_id: r.id,
  }));
  return json(body);
}

const optional = <K extends string>(key: K, value: string | null): Partial<Record<K, string>> =>
  (value === null ? {} : { [key]: value }) as Partial<Record<K, string>>;

export function leakReportBody(r: LeakReport): LeakReportBody {
  return {
    id: r.id,
    reported_at: new Date(r.reportedAt).toISOString(),
    channel: r.channel,
    ...optional('sender', r.sender),
    ...(r.tokenKind !== null ? { token_type: r.tokenKind } : {}),
    token_hash: r.tokenHash,
    outcome: r.outcome,
    ...optional('url', r.url),
    ...optional('source', r.source),
    ...optional('client_id', r.clientId),
    ...optional('subject', r.subject),
    ...optional('grant_id', r.familyId),
    revoked_count: r.revokedCount,
  };
}

const PAGE_TOKEN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `GET /admin/oauth2/tokens/leaked`: newest first; `Link: rel="next"` carries the next page's `page_token`. */
export async function listLeaked(query: ListLeakReportsQuery, path: string, deps: { readonly leakReports: Pick<LeakReportStore, 'list'> }): Promise<HandlerResult> {
  if (query.page_token !== undefined && !PAGE_TOKEN.test(query.page_token)) throw invalidRequest('The page_token is not one this endpoint gave out.');
  const rows = await deps.leakReports.list({ limit: query.page_size + 1, before: query.page_token, clientId: query.client_id });
  const page = rows.slice(0, query.page_size);
  const last = page[page.length - 1];
  const headers: Record<string, string> = {};
  if (rows.length > query.page_size && last) {
    const next = new URLSearchParams({ page_size: String(query.page_size), page_token: last.id });
    if (query.client_id !== undefined) next.set('client_id', query.client_id);
    headers['Link'] = `<${path}?${next.toString()}>; rel="next"`;
  }
  return json(page.map(leakReportBody), 200, headers);
}
