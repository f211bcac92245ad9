import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Client } from '../clients/client.js';
import type { IdTokenSigner } from '../keys/signer.js';
import type { Clock } from '../lib/clock.js';
import { OutboundRefused, postForm, type OutboundDeps } from '../lib/outbound-request.js';
import type { Metrics } from '../metrics/metrics.js';

/**
 * OpenID Connect Back-Channel Logout 1.0: a signed logout token POSTed to
 * each client's backchannel_logout_uri. Delivery never blocks the user: it
 * runs after the response, is retried a bounded number of times with
 * backoff, and failures are logged (without the token). The URI was chosen
 * by whoever registered the client, so each delivery re-checks where it goes
 * (lib/outbound-policy.ts) and connects only to the address it checked.
 */
export interface BackchannelNotifier {
  notify(client: Client, subject: string, sid: string): void;
  /** Resolves when every delivery under way has finished (shutdown, tests). */
  drain(): Promise<void>;
}

export interface BackchannelDeps {
  readonly signer: Pick<IdTokenSigner, 'sign'>;
  readonly issuer: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where deliveries may go, and the resolver (tests inject one). */
  readonly outbound: OutboundDeps;
  readonly attempts?: number;
  readonly timeoutMs?: number;
  readonly backoffMs?: number;
  /** Counts each delivery's end: delivered, failed (every attempt), not_allowed (outbound policy). */
  readonly metrics?: Pick<Metrics, 'backchannel'> | undefined;
}

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export function createBackchannelNotifier(deps: BackchannelDeps): BackchannelNotifier {
  const attempts = deps.attempts ?? 3;
  const timeoutMs = deps.timeoutMs ?? 5000;
  const backoffMs = deps.backoffMs ?? 500;
  const pending = new Set<Promise<void>>();

  async function deliver(client: Client, subject: string, sid: string): Promise<void> {
    const uri = client.backchannel_logout_uri;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const now = Math.floor(deps.clock.now() / 1000);
      // §2.4: iss, aud, iat, exp, jti, events, sub and/or sid; never a nonce.
      const token = await deps.signer.sign(
        { iss: deps.issuer, aud: client.client_id, iat: now, exp: now + 120, jti: randomUUID(), events: { [EVENT]: {} }, sub: subject, sid },
        // Back-Channel Logout §2.6: the RP validates it as it validates the ID tokens it receives.
        { alg: client.id_token_signed_response_alg, typ: 'logout+jwt' },
      );
      try {
        const status = await postForm(uri, new URLSearchParams({ logout_token: token }).toString(), deps.outbound, timeoutMs);
        if (status >= 200 && status < 300) {
          deps.metrics?.backchannel('delivered');
          return;
        }
        deps.logger.warn({ client_id: client.client_id, status, attempt }, 'back-channel logout refused');
      } catch (err) {
        if (err instanceof OutboundRefused) {
          // The same answer on every attempt: give up now.
          deps.logger.error({ client_id: client.client_id, reason: err.message }, 'back-channel logout not sent: destination not allowed');
          deps.metrics?.backchannel('not_allowed');
          return;
        }
        deps.logger.warn({ client_id: client.client_id, reason: (err as Error).name, attempt }, 'back-channel logout failed');
      }
      if (attempt < attempts) await new Promise((r) => setTimeout(r, backoffMs * 4 ** (attempt - 1)));
    }
    deps.logger.error({ client_id: client.client_id }, 'back-channel logout gave up');
    deps.metrics?.backchannel('failed');
  }

  return {
    notify(client, subject, sid) {
      if (!client.backchannel_logout_uri) return;
      const p = deliver(client, subject, sid).finally(() => pending.delete(p));
      pending.add(p);
    },
    async drain() {
      await Promise.all([...pending]);
    },
  };
}
