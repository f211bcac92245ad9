import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Scrape } from './metrics.js';

/*
 * `serve --workers N`: whichever worker a scrape reaches asks the primary,
 * which gathers every worker's registry over the cluster's IPC channel
 * (prom-client's AggregatorRegistry: counters and histograms summed, process
 * metrics by their own rule) and sends the aggregated text back. So one
 * scrape answers for all workers, as one process would.
 */

const ASK = 'tessera:metrics-scrape';
const ANSWER = 'tessera:metrics-scrape-result';
const TIMEOUT_MS = 10_000;

interface Ask {
  readonly type: typeof ASK;
  readonly id: string;
}
interface Answer {
  readonly type: typeof ANSWER;
  readonly id: string;
  readonly contentType?: string;
  readonly body?: string;
  readonly error?: string;
}

const isAsk = (m: unknown): m is Ask => typeof m === 'object' && m !== null && (m as Ask).type === ASK && typeof (m as Ask).id === 'string';
const isAnswer = (m: unknown): m is Answer => typeof m === 'object' && m !== null && (m as Answer).type === ANSWER && typeof (m as Answer).id === 'string';

/** In the primary: answers workers' scrape requests with every worker's metrics, aggregated. */
export function servePrimaryScrapes(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!isAsk(message)) return;
    aggregator.clusterMetrics().then(
      (body) => worker.isConnected() && worker.send({ type: ANSWER, id: message.id, contentType: aggregator.contentType, body } satisfies Answer),
      (err: unknown) => worker.isConnected() && worker.send({ type: ANSWER, id: message.id, error: (err as Error).message } satisfies Answer),
    );
  });
}

/**
 * In a worker: offers `registry` to the primary's aggregation (prom-client
 * answers its requests), and returns the scrape that goes through the primary.
 */
export function workerScrape(registry: Registry): () => Promise<Scrape> {
  AggregatorRegistry.setRegistries([registry]);
  // The constructor installs prom-client's listener for the primary's requests.
  new AggregatorRegistry();
  const pending = new Map<string, { resolve: (s: Scrape) => void; reject: (e: Error) => void }>();
  process.on('message', (message: unknown) => {
    if (!isAnswer(message)) return;
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error !== undefined || message.body === undefined) waiter.reject(new Error(`metrics aggregation failed: ${message.error ?? 'no body'}`));
    else waiter.resolve({ contentType: message.contentType ?? registry.contentType, body: message.body });
  });
  return () =>
    new Promise<Scrape>((resolve, reject) => {
      const id = randomUUID();
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('metrics aggregation timed out'));
      }, TIMEOUT_MS);
      pending.set(id, {
        resolve: (s) => (clearTimeout(timer), resolve(s)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      process.send?.({ type: ASK, id } satisfies Ask);
    });
}
