import autocannon from 'autocannon';
import { Samples } from '../lib/stats.js';
import { loadSpec, runRounds } from './worker-common.js';
import type { HttpLoad } from './spec.js';

/*
 * The HTTP load process: autocannon, one request shape, `connections`
 * keep-alive connections without pipelining. Latency percentiles come from
 * every successful response time (2xx, or 3xx for `redirects`; autocannon's own histogram has 1 ms resolution,
 * too coarse for sub-millisecond answers).
 */

type Body = () => string | undefined;

/** The body of the next request, and what to do with each answer. */
function bodySource(spec: HttpLoad): { next: Body; answered: (status: number, body: string) => void } {
  const tokens = spec.tokens;
  if (!tokens) return { next: () => spec.body, answered: () => {} };
  const { bodyPrefix, values } = tokens;
  if (tokens.mode === 'cycle') {
    let i = 0;
    return { next: () => bodyPrefix + (values[i++ % values.length] ?? ''), answered: () => {} };
  }
  // chain: refresh tokens are single-use; each answer's new refresh token goes back in the queue.
  const ready = [...values];
  return {
    next: () => bodyPrefix + (ready.shift() ?? 'exhausted'),
    answered(status, body) {
      if (status !== 200) return;
      const fresh = (JSON.parse(body) as { refresh_token?: unknown }).refresh_token;
      if (typeof fresh === 'string') ready.push(fresh);
    },
  };
}

function round(spec: HttpLoad, source: ReturnType<typeof bodySource>, seconds: number) {
  const samples = new Samples();
  let unexpected = 0;
  const url = new URL(spec.url);
  const request: autocannon.Request = {
    method: spec.method,
    path: `${url.pathname}${url.search}`,
    headers: spec.headers,
    ...(spec.tokens ? { setupRequest: (req) => ({ ...req, body: source.next() }), onResponse: (status, body) => source.answered(status, body) } : { body: spec.body }),
  };
  return new Promise<{ count: number; seconds: number; p50: number; p99: number; errors: number; non2xx: number }>((resolve, reject) => {
    const instance = autocannon(
      {
        url: url.origin,
        connections: spec.connections,
        duration: seconds,
        requests: [request],
        timeout: 10,
        ...(spec.expect === undefined ? {} : { verifyBody: (body) => String(body).includes(spec.expect ?? '') }),
      },
      (err, result) => {
        if (err) return reject(err);
        const { p50, p99 } = samples.percentiles();
        const non2xx = spec.redirects ? unexpected : result.non2xx;
        resolve({ count: result.requests.total, seconds: result.duration, p50, p99, errors: result.errors + result.timeouts + result.mismatches, non2xx });
      },
    );
    // autocannon 9 emits (client, statusCode, resBytes, responseTime); its typings predate the client argument.
    instance.on('response', (...args: unknown[]) => {
      const status = Number(args[1]);
      const ok = spec.redirects ? status >= 300 && status < 400 : status >= 200 && status < 300;
      if (ok) samples.add(Number(args[3]));
      else unexpected++;
    });
  });
}

const spec = loadSpec('http');
const source = bodySource(spec);
await runRounds(spec, (seconds) => round(spec, source, seconds));
