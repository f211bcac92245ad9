import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../lib/clock.js';
import { OutboundRefused, type OutboundDeps } from '../../lib/outbound-request.js';
import { postJson } from '../../lib/outbound-request.js';
import type { ClientStore } from '../../storage/ports.js';
import type { LeakReport } from '../../tokens/leaks/report.js';

/*
 * Tells a client's owner that one of its tokens was reported leaked: a JSON
 * body POSTed to `oauth2.leak_reports.owner_webhook.url`, signed with
 * HMAC-SHA256 under the configured secret:
 *
 *   Tessera-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
 *
 * The receiver recomputes v1 over the exact bytes it received and refuses an
 * old `t` (replay). The body names the report, the client and its owner,
 * never the token (only its SHA-256). Delivery is as back-channel logout's
 * (sessions/backchannel.ts): after the response, a bounded number of
 * attempts with backoff, the destination re-checked at each attempt
 * (lib/outbound-policy.ts) and failures logged without the body.
 */
export interface LeakNotifier {
  notify(report: LeakReport): void;
  /** Resolves when every delivery under way has finished (shutdown, tests). */
  drain(): Promise<void>;
}

export interface LeakWebhookDeps {
  readonly url: string;
  readonly secret: string;
  readonly clients: Pick<ClientStore, 'get'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly outbound: OutboundDeps;
  readonly attempts?: number;
  readonly timeoutMs?: number;
  readonly backoffMs?: number;
}

export const SIGNATURE_HEADER = 'tessera-signature';

export function signWebhook(secret: string, body: string, seconds: number): string {
  return `t=${seconds},v1=${createHmac('sha256', secret).update(`${seconds}.${body}`).digest('hex')}`;
}

async function bodyOf(report: LeakReport, clients: Pick<ClientStore, 'get'>): Promise<string> {
  const client = report.clientId === null ? undefined : await clients.get(report.clientId);
  return JSON.stringify({
    type: 'oauth2.token.leaked',
    report_id: report.id,
    reported_at: new Date(report.reportedAt).toISOString(),
    outcome: report.outcome,
    token_type: report.tokenKind,
    token_hash: report.tokenHash,
    url: report.url,
    source: report.source,
    channel: report.channel,
    sender: report.sender,
    client: { client_id: report.clientId, client_name: client?.client_name ?? '', owner: client?.owner ?? '', contacts: client?.contacts ?? [] },
    subject: report.subject,
    grant_id: report.familyId,
    revoked_count: report.revokedCount,
  });
}

export function createLeakWebhook(deps: LeakWebhookDeps): LeakNotifier {
  const attempts = deps.attempts ?? 3;
  const timeoutMs = deps.timeoutMs ?? 5000;
  const backoffMs = deps.backoffMs ?? 500;
  const pending = new Set<Promise<void>>();

  async function deliver(report: LeakReport): Promise<void> {
    const log = { report_id: report.id, client_id: report.clientId };
    const body = await bodyOf(report, deps.clients);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const signature = signWebhook(deps.secret, body, Math.floor(deps.clock.now() / 1000));
      try {
        const status = await postJson(deps.url, body, { [SIGNATURE_HEADER]: signature }, deps.outbound, timeoutMs);
        if (status >= 200 && status < 300) return;
        deps.logger.warn({ ...log, status, attempt }, 'leak webhook refused');
      } catch (err) {
        if (err instanceof OutboundRefused) {
          deps.logger.error({ ...log, reason: err.message }, 'leak webhook not sent: destination not allowed');
          return;
        }
        deps.logger.warn({ ...log, reason: (err as Error).name, attempt }, 'leak webhook failed');
      }
      if (attempt < attempts) await new Promise((r) => setTimeout(r, backoffMs * 4 ** (attempt - 1)));
    }
    deps.logger.error(log, 'leak webhook gave up');
  }

  return {
    notify(report) {
      const p = deliver(report)
        .catch((err: unknown) => deps.logger.error({ report_id: report.id, reason: (err as Error).name }, 'leak webhook failed'))
        .finally(() => pending.delete(p));
      pending.add(p);
    },
    async drain() {
      await Promise.all([...pending]);
    },
  };
}
