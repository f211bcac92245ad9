import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
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

/**
 * DPoP proofs made as a client would (one ES256 key for the run, a new `jti`
 * and `iat` per request): signed synchronously with node:crypto, here in the
 * load process, so the server's CPU per request counts only verification.
 */
function dpopProofs(dpop: NonNullable<HttpLoad['dpop']>): () => string {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  const header = Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } })).toString('base64url');
  const prefix = randomUUID();
  let n = 0;
  return () => {
    const claims = { jti: `${prefix}.${n++}`, htm: dpop.htm, htu: dpop.htu, iat: Math.floor(Date.now() / 1000) };
    const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  };
}

function round(spec: HttpLoad, source: ReturnType<typeof bodySource>, seconds: number) {
  const samples = new Samples();
  let unexpected = 0;
  const url = new URL(spec.url);
  const proof = spec.dpop ? dpopProofs(spec.dpop) : undefined;
  const perRequest = spec.tokens !== undefined || proof !== undefined;
  const request: autocannon.Request = {
    method: spec.method,
    path: `${url.pathname}${url.search}`,
    headers: spec.headers,
    ...(perRequest
      ? {
          setupRequest: (req) => ({ ...req, body: source.next(), ...(proof ? { headers: { ...req.headers, DPoP: proof() } } : {}) }),
          onResponse: (status, body) => source.answered(status, body),
        }
      : { body: spec.body }),
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
