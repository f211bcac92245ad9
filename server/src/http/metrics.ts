import type { Router } from '@koa/router';
import type { Metrics } from '../metrics/metrics.js';
import { serverError } from '../errors/catalog.js';

/**
 * GET /admin/metrics/prometheus (Hydra v2's path), on the admin port behind
 * the admin guard like every admin route. The exposition is text, not JSON,
 * so the route writes it itself rather than through respond.ts.
 */
export function metricsRoute(router: Router, metrics: Pick<Metrics, 'scrape'>): void {
  router.get('/admin/metrics/prometheus', async (ctx) => {
    let scrape;
    try {
      scrape = await metrics.scrape();
    } catch (err) {
      throw serverError('The metrics could not be gathered.').withDebug((err as Error).message);
    }
    ctx.status = 200;
    ctx.type = scrape.contentType;
    ctx.body = scrape.body;
  });
}
