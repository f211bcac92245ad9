import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import {
  grantLabel,
  methodLabel,
  statusClass,
  TOKEN_KINDS,
  type Metrics,
  type PoolLike,
  type RequestRecorder,
  type Scrape,
} from './metrics.js';
import { workerScrape } from './cluster.js';

/*
 * Metrics with prom-client, in a registry of this server's own (not
 * prom-client's global one: two servers in one process, as in the tests, keep
 * their counts apart). Names follow Prometheus' conventions (base units,
 * `_total` counters); a histogram's `_count` is the request count.
 */

export interface PrometheusOptions {
  /**
   * Process and Node.js runtime metrics (prom-client's default set); on
   * unless told. Once per process: each set starts its own event-loop
   * monitor and GC observer, which nothing stops.
   */
  readonly processMetrics?: boolean;
  /**
   * `worker` (serve --workers): a scrape asks the primary, which aggregates
   * every worker's registry (metrics/cluster.ts); otherwise this registry answers.
   */
  readonly cluster?: 'worker' | undefined;
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

function instruments(registry: Registry) {
  const registers = [registry];
  return {
    requests: new Histogram({
      name: 'tessera_http_request_duration_seconds',
      help: 'HTTP requests by route template, method and status class: latency, and (_count) how many',
      labelNames: ['route', 'method', 'status_class'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    tokens: new Counter({ name: 'tessera_tokens_issued_total', help: 'Tokens issued by the token endpoint, by grant type and kind', labelNames: ['grant_type', 'kind'], registers }),
    introspections: new Counter({ name: 'tessera_introspections_total', help: 'Token introspections by result (active or inactive)', labelNames: ['result'], registers }),
    flows: new Counter({ name: 'tessera_flow_outcomes_total', help: 'Login and consent requests settled by the login/consent app, by outcome', labelNames: ['flow', 'outcome'], registers }),
    backchannel: new Counter({ name: 'tessera_backchannel_logout_deliveries_total', help: 'Back-channel logout deliveries by outcome', labelNames: ['outcome'], registers }),
    leaks: new Counter({ name: 'tessera_leaked_tokens_reported_total', help: 'Reported leaked tokens by outcome and channel (admin API or signed public report)', labelNames: ['outcome', 'channel'], registers }),
    batchSize: new Histogram({ name: 'tessera_sqlite_group_commit_batch_size', help: 'Writes carried by one SQLite group-commit transaction', buckets: BATCH_BUCKETS, registers }),
    batchWait: new Histogram({ name: 'tessera_sqlite_group_commit_wait_seconds', help: "From a group commit's first queued write to its COMMIT", buckets: LATENCY_BUCKETS, registers }),
    acquire: new Histogram({ name: 'tessera_db_pool_acquire_seconds', help: 'Time to get a connection from the database pool', buckets: LATENCY_BUCKETS, registers }),
  };
}

/** Pool gauges read at scrape time: nothing on the request path. */
function poolGauges(registry: Registry, pools: readonly PoolLike[]): void {
  const sum = (read: (pool: PoolLike) => number) => pools.reduce((n, pool) => n + read(pool), 0);
  new Gauge({
    name: 'tessera_db_pool_connections',
    help: 'Database pool connections by state (in_use, idle)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.set({ state: 'in_use' }, sum((p) => p.numUsed()));
      this.set({ state: 'idle' }, sum((p) => p.numFree()));
    },
  });
  new Gauge({
    name: 'tessera_db_pool_waiting',
    help: 'Requests waiting for a database pool connection',
    registers: [registry],
    collect() {
      this.set(sum((p) => p.numPendingAcquires()));
    },
  });
}

export function createPrometheusMetrics(options: PrometheusOptions = {}): Metrics & { readonly registry: Registry } {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const m = instruments(registry);
  const pools: PoolLike[] = [];
  poolGauges(registry, pools);
  // Children per label set, built once: a request pays a Map lookup, not prom-client's label hashing of three names.
  const children = new Map<string, RequestRecorder>();
  const route = (template: string, method: string): RequestRecorder => {
    const byClass = new Map<string, ReturnType<typeof m.requests.labels>>();
    const labels = { route: template, method: methodLabel(method) };
    return (status, seconds) => {
      const cls = statusClass(status);
      let child = byClass.get(cls);
      if (child === undefined) byClass.set(cls, (child = m.requests.labels({ ...labels, status_class: cls })));
      child.observe(seconds);
    };
  };
  const scrape = options.cluster === 'worker' ? workerScrape(registry) : async (): Promise<Scrape> => ({ contentType: registry.contentType, body: await registry.metrics() });

  return {
    registry,
    route,
    request(template, method, status, seconds) {
      const key = `${method} ${template}`;
      let recorder = children.get(key);
      if (recorder === undefined) children.set(key, (recorder = route(template, method)));
      recorder(status, seconds);
    },
    tokensIssued(grantType, body) {
      if (typeof body !== 'object' || body === null) return;
      const grant = grantLabel(grantType);
      for (const kind of TOKEN_KINDS) if (kind in body) m.tokens.inc({ grant_type: grant, kind });
    },
    introspected: (active) => m.introspections.inc({ result: active ? 'active' : 'inactive' }),
    flowOutcome: (flow, outcome) => m.flows.inc({ flow, outcome }),
    backchannel: (outcome) => m.backchannel.inc({ outcome }),
    leakReport: (outcome, channel) => m.leaks.inc({ outcome, channel }),
    sqliteBatch(size, waitSeconds) {
      m.batchSize.observe(size);
      m.batchWait.observe(waitSeconds);
    },
    watchPool(pool) {
      pools.push(pool);
      const started = new Map<number, number>();
      pool.on('acquireRequest', (id) => started.set(id, performance.now()));
      const done = (id: number) => {
        const t = started.get(id);
        if (t === undefined) return;
        started.delete(id);
        m.acquire.observe((performance.now() - t) / 1000);
      };
      pool.on('acquireSuccess', done);
      pool.on('acquireFail', (id) => started.delete(id));
    },
    scrape,
  };
}
