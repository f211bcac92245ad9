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

/**
 * How long one answer of the keys check stands. The check trial-decrypts
 * every stored private key, and /health/ready is open on both ports without
 * credentials: uncached, a flood of probes was a flood of AES-GCM opens and
 * key-table reads. 5 s is below every usual probe period (kubelet's
 * readiness default is 10 s, load balancers 5-30 s), so a process whose keys
 * another re-sealed turns 503 by the next probe or the one after, while any
 * number of probes costs at most one check per 5 s per process.
 */
export const KEYS_CHECK_TTL_MS = 5000;

/**
 * `check`, answered from memory for `ttlMs` after it last succeeded; callers
 * arriving while it runs share that run. A rejection is not kept: the next
 * call tries again (a database blip must not hold readiness at 503).
 */
export function cachedCheck<T>(check: () => Promise<T>, ttlMs = KEYS_CHECK_TTL_MS): () => Promise<T> {
  let pending: Promise<T> | undefined;
  let settledAt = -Infinity;
  return () => {
    if (pending && performance.now() - settledAt < ttlMs) return pending;
    const run = check().then(
      (value) => {
        if (pending === run) settledAt = performance.now();
        return value;
      },
      (err: unknown) => {
        if (pending === run) pending = undefined;
        throw err;
      },
    );
    pending = run;
    settledAt = Infinity; // in flight: shared until it settles
    return run;
  };
}

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
