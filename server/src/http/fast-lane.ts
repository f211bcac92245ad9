import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { HandlerResult } from '../lib/result.js';
import { invalidRequest, unsupportedFormType } from '../errors/catalog.js';
import { parseParams } from '../lib/params.js';
import { assertIdentityEncoding, BODY_LIMIT, hasBody, tooLarge } from './body.js';
import { requestIdFrom } from './middleware/request-id.js';
import { logAccess } from './middleware/access-log.js';
import { failureRenderer } from './middleware/error-handler.js';
import type { Metrics, RequestRecorder } from '../metrics/metrics.js';

/*
 * The hot endpoints (POST /oauth2/token, POST /admin/oauth2/introspect)
 * straight from node:http. koa's context, its middleware chain and the router
 * cost about 10–15 µs of CPU per request, a tenth of a token request; these
 * two are a form body in and a JSON answer out, so they need none of it. What
 * the answer looks like is the same as through koa: the same handlers, the
 * same error renderer, the same request id, nosniff and access log line, the
 * same body limit. The lane takes only an exact `POST <path>`; anything else
 * (a query string, a trailing slash, another method) goes to koa, which
 * routes the same handler.
 *
 * The one body the lane reads is a small form, so it reads it itself
 * (`readLaneForm`) instead of through koa-bodyparser, which every koa route
 * uses (body.ts): koa + koa-bodyparser cost ~55–60 µs of CPU per request
 * against ~19 µs for bare node:http (DESIGN.md, performance budget). The
 * rules are body.ts's (media type, encoding, limit, parseParams), in the same
 * order, and test/server/http/fast-lane.test.ts holds both to the same answers.
 */

/** A form-in, JSON-out endpoint; `peer` is the caller's address, `dpop` the DPoP header (RFC 9449 §4.1; node joins repeated ones with ", "). */
export type FastHandler = (form: Record<string, string>, authorization: string | undefined, peer: string | undefined, dpop: string | undefined) => Promise<HandlerResult>;

export interface LaneOptions {
  readonly logger: Logger;
  readonly exposeDebug: boolean;
  /** Headers on every answer of the lane, as the app's middleware sets them (the admin port's Cache-Control). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Checks the app runs on every request before routing (the admin guard: Host and token); throws the answer. */
  readonly guard?: ((req: IncomingMessage) => void) | undefined;
  /** The CORS headers of an answer (http/cors.ts `actualHeaders`), as koa's route sets them; `form` is undefined when unreadable. */
  readonly cors?: ((origin: string | undefined, form: Record<string, string> | undefined, authorization: string | undefined) => LaneHeaders | Promise<LaneHeaders>) | undefined;
  /** Request metrics: one recorder per lane path, bound once (the path is the route template: the lane matches it exactly). */
  readonly metrics?: Pick<Metrics, 'route'> | undefined;
  /** Requests the lane leaves to koa although their path is a lane's: those asking for an answer that is not JSON (RFC 9701's JWT introspection). */
  readonly bypass?: ((req: IncomingMessage) => boolean) | undefined;
}

type LaneHeaders = Readonly<Record<string, string>>;

/** A koa app, and the routes that bypass it. */
export class HttpApp extends Koa {
  readonly fastRoutes = new Map<string, FastHandler>();
  lane: LaneOptions | undefined;

  /** Serves `POST <path>` in the lane; the same handler should be routed in koa too. */
  fastPost(paths: readonly string[], handler: FastHandler, lane: LaneOptions): this {
    for (const path of paths) this.fastRoutes.set(path, handler);
    this.lane = lane;
    return this;
  }
}

/** The server's request listener: the fast routes, then koa for everything else. */
export function requestListener(app: Koa): RequestListener {
  const koa = app.callback();
  if (!(app instanceof HttpApp) || !app.lane || app.fastRoutes.size === 0) return koa;
  const serve = laneServer(app.lane);
  const { metrics, bypass } = app.lane;
  const routes = new Map<string, Lane>();
  for (const [path, handler] of app.fastRoutes) routes.set(path, { handler, record: metrics?.route(path, 'POST') });
  return (req, res) => {
    const lane = req.method === 'POST' && !bypass?.(req) ? routes.get(req.url ?? '') : undefined;
    if (lane) void serve(lane, req, res);
    else void koa(req, res);
  };
}

interface Lane {
  readonly handler: FastHandler;
  readonly record: RequestRecorder | undefined;
}

function laneServer({ logger, exposeDebug, headers: laneHeaders = {}, guard, cors }: LaneOptions) {
  const renderFailure = failureRenderer(logger, exposeDebug);
  const logRequests = logger.isLevelEnabled('info');

  return async ({ handler, record }: Lane, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = logRequests || record ? performance.now() : 0;
    const requestId = requestIdFrom(req.headers['x-request-id']);
    const headers: Record<string, string | number> = {
      'X-Request-Id': requestId,
      'X-Content-Type-Options': 'nosniff',
      ...laneHeaders,
      'Content-Type': 'application/json; charset=utf-8',
    };
    let status: number;
    let body: string;
    let form: Record<string, string> | undefined;
    try {
      guard?.(req);
      form = await readLaneForm(req, () => (headers['Connection'] = 'close'));
      const result = await handler(form, req.headers.authorization, req.socket.remoteAddress, headerValue(req.headers['dpop']));
      if (result.kind !== 'json') throw new Error(`the fast lane answers JSON, not ${result.kind}`);
      status = result.status ?? 200;
      body = typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
      Object.assign(headers, result.headers);
    } catch (caught) {
      const failure = renderFailure(caught, requestId);
      status = failure.status;
      body = failure.body;
      Object.assign(headers, failure.headers);
    }
    if (cors) {
      const corsHeaders = cors(req.headers.origin, form, req.headers.authorization);
      Object.assign(headers, corsHeaders instanceof Promise ? await corsHeaders : corsHeaders);
    }
    headers['Content-Length'] = Buffer.byteLength(body);
    res.writeHead(status, headers);
    res.end(body);
    if (logRequests) logAccess(logger, { requestId, method: 'POST', path: req.url ?? '', status }, started);
    record?.(status, (performance.now() - started) / 1000);
  };
}

/** A header node did not join (`set-cookie` is the only array); undefined when absent. */
const headerValue = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value.join(', ') : value);

const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i;

/** body.ts's formBody, for node's request: no body is no parameters; then encoding, media type, limit, parse. */
async function readLaneForm(req: IncomingMessage, overflowed: () => void): Promise<Record<string, string>> {
  if (!hasBody(req)) return parseParams('');
  assertIdentityEncoding(req.headers['content-encoding'], unsupportedFormType);
  if (!FORM_TYPE.test(req.headers['content-type'] ?? '')) throw unsupportedFormType('Send the body as application/x-www-form-urlencoded.');
  const raw = await readRequestBody(req, BODY_LIMIT, overflowed);
  // A UTF-8 byte order mark is not text, and koa-bodyparser's decoder drops it too.
  const start = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? 3 : 0;
  return parseParams(raw.toString('utf8', start));
}

/**
 * Reads the raw body, refusing (413) past `limit` without buffering the rest.
 * Stream events rather than `for await`: an async iterator per request was a
 * measurable part of a token request.
 */
function readRequestBody(req: IncomingMessage, limit: number, overflowed: () => void): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] || 0);
  if (declared > limit) {
    overflowed();
    return Promise.reject(tooLarge(limit));
  }
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        done();
        // Stop reading; the 413 goes out and the connection is closed after it.
        req.pause();
        overflowed();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    const onClose = () => {
      done();
      reject(invalidRequest('The request body ended early.'));
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('close', onClose);
  });
}
