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
  /**
   * Whether every stored private key opens with the configured secrets: a
   * process that cannot sign ID tokens is not ready (README "System secret
   * rotation": another process may have re-sealed under a secret this one lacks).
   */
  readonly keysOpen?: () => Promise<boolean>;
}

const READY_TIMEOUT_MS = 2000;

/** `/health/alive`, `/health/ready`, `/version`: the same on both ports, as in Hydra. */
export function healthRoutes(router: Router, { storage, lifecycle, keysOpen }: HealthDeps): void {
  router.get('/health/alive', route(() => json({ status: 'ok' })));
  router.get(
    '/health/ready',
    route(async () => {
      if (lifecycle.draining) return json({ errors: { server: 'shutting down' } }, 503);
      try {
        await storage.ping(READY_TIMEOUT_MS);
      } catch {
        return json({ errors: { database: 'not reachable' } }, 503);
      }
      if (keysOpen && !(await keysOpen().catch(() => false))) {
        return json({ errors: { keys: 'a stored private key does not open with secrets.system' } }, 503);
      }
      return json({ status: 'ok' });
    }),
  );
  router.get('/version', route(() => json({ version: VERSION })));
}
