import type { Router } from '@koa/router';
import type { Storage } from '../storage/ports.js';
import { json } from '../lib/result.js';
import { VERSION } from '../version.js';
import { route } from './route.js';

/** Flipped on SIGTERM so a load balancer stops sending traffic while requests drain. */
export interface Lifecycle {
  draining: boolean;
}

export interface HealthDeps {
  readonly storage: Pick<Storage, 'ping'>;
  readonly lifecycle: Lifecycle;
}

const READY_TIMEOUT_MS = 2000;

/** `/health/alive`, `/health/ready`, `/version`: the same on both ports, as in Hydra. */
export function healthRoutes(router: Router, { storage, lifecycle }: HealthDeps): void {
  router.get('/health/alive', route(() => json({ status: 'ok' })));
  router.get(
    '/health/ready',
    route(async () => {
      if (lifecycle.draining) return json({ errors: { server: 'shutting down' } }, 503);
      try {
        await storage.ping(READY_TIMEOUT_MS);
        return json({ status: 'ok' });
      } catch {
        return json({ errors: { database: 'not reachable' } }, 503);
      }
    }),
  );
  router.get('/version', route(() => json({ version: VERSION })));
}
