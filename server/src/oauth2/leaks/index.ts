import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { Resolve } from '../../lib/outbound-request.js';
import type { HandlerResult } from '../../lib/result.js';
import type { Storage } from '../../storage/ports.js';
import type { TokenStrategy } from '../../tokens/hmac.js';
import type { LeakChannel, LeakOutcome } from '../../tokens/leaks/report.js';
import { listLeaked, reportLeaked } from './admin.js';
import type { LeakDeps } from './process.js';
import { publicReport, sendersFromConfig, type SignedRequest } from './public.js';
import { createRateLimiter } from './rate-limit.js';
import { createLeakWebhook, type LeakNotifier } from './webhook.js';
import type { LeakAdminHandlers } from '../../http/leaks.js';

export type { LeakNotifier } from './webhook.js';

export interface LeakWiring {
  readonly storage: Pick<Storage, 'tokens' | 'leakReports' | 'clients' | 'devices'>;
  readonly strategy: TokenStrategy;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly dev: boolean;
  readonly ownPorts: readonly number[];
  readonly resolve?: Resolve | undefined;
  /** Item 6 of issue 18: a metrics counter of reported tokens by outcome hooks in here. */
  readonly onOutcome?: ((outcome: LeakOutcome, channel: LeakChannel) => void) | undefined;
}

export interface Leaks {
  readonly admin: LeakAdminHandlers;
  /** Undefined while `oauth2.leak_reports.public.enabled` is off. */
  readonly publicReport: ((request: SignedRequest) => Promise<HandlerResult>) | undefined;
  /** Undefined without `oauth2.leak_reports.owner_webhook.url`. */
  readonly notifier: LeakNotifier | undefined;
}

/** Leak reports (issue 18) from the configuration: the composition root calls this once. */
export function createLeaks(config: Config['oauth2']['leak_reports'], w: LeakWiring): Leaks {
  const hook = config.owner_webhook;
  const notifier =
    hook.url !== undefined && hook.secret !== undefined
      ? createLeakWebhook({
          url: hook.url,
          secret: hook.secret,
          clients: w.storage.clients,
          clock: w.clock,
          logger: w.logger,
          outbound: { policy: { dev: w.dev, allowPrivateNetworks: hook.allow_private_networks, ownPorts: w.ownPorts }, resolve: w.resolve },
        })
      : undefined;
  const deps: LeakDeps = { tokens: w.storage.tokens, leakReports: w.storage.leakReports, devices: w.storage.devices, strategy: w.strategy, clock: w.clock, notifier, onOutcome: w.onOutcome };
  const pub = config.public;
  const publicDeps = pub.enabled
    ? { ...deps, senders: sendersFromConfig(pub.senders), limiter: createRateLimiter({ requests: pub.rate_limit.requests, windowMs: pub.rate_limit.window, clock: w.clock }) }
    : undefined;
  return {
    admin: {
      report: (request) => reportLeaked(request, deps),
      list: (query, path) => listLeaked(query, path, { leakReports: w.storage.leakReports }),
    },
    publicReport: publicDeps ? (request) => publicReport(request, publicDeps) : undefined,
    notifier,
  };
}
