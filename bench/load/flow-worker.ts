import { runFlow } from '../flows/index.js';
import { createHttpClient } from '../lib/http.js';
import { Samples } from '../lib/stats.js';
import { loadSpec, runRounds } from './worker-common.js';
import type { FlowLoad } from './spec.js';

/*
 * The flow load process: `connections` loops, each running complete
 * authorization-code flows back to back (each in a fresh cookie jar, so no
 * remembered login or consent) until the round's time is up. A flow is one
 * sample; a flow that throws counts as an error.
 */

async function round(spec: FlowLoad, seconds: number) {
  const http = createHttpClient(spec.connections * 2);
  const samples = new Samples();
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        await runFlow(http, spec.flow);
        samples.add(performance.now() - t0);
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: spec.connections }, loop));
  const elapsed = (performance.now() - started) / 1000;
  http.close();
  if (firstError) process.stderr.write(`flow error (${errors} in all): ${firstError}\n`);
  return { count: samples.size, seconds: elapsed, ...samples.percentiles(), errors, non2xx: 0 };
}

const spec = loadSpec('flow');
await runRounds(spec, (seconds) => round(spec, seconds));
