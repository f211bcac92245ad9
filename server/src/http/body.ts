import type { IncomingMessage } from 'node:http';
import type { Context, Middleware } from 'koa';
import bodyParser from 'koa-bodyparser';
import { OAuth2Error } from '../errors/oauth2-error.js';
import { invalidRequest, payloadTooLarge, unsupportedFormType, unsupportedMediaType } from '../errors/catalog.js';
import { parseParams } from '../lib/params.js';
import { assertCleanJson } from '../lib/text.js';
import { BODY_LIMIT } from '../lib/limits.js';

/*
 * Request bodies on koa routes, read by koa-bodyparser (the design card's
 * parser: limits, stream handling, strict JSON) with OAuth's rules on top:
 * - a route takes one media type, forms or JSON, as the contract says; a
 *   body of another type, or with no Content-Type at all, is a 415 (a
 *   cross-site `fetch` with a Blob body sends none and needs no preflight):
 *   `invalid_request` on the OAuth endpoints (the code RFC 6749 §5.2 has for
 *   it), `unsupported_media_type` on the admin API's JSON endpoints;
 * - forms are parsed by `parseParams`, not by koa-bodyparser's `qs`: a
 *   parameter sent twice is refused (RFC 6749 §3.1, §3.2), `a[b]=c` stays the
 *   plain name "a[b]", values are strings in a null-prototype record;
 * - NUL, invalid UTF-8 and lone surrogates are refused (no database stores
 *   them, nothing legitimate sends them);
 * - request bodies are not compressed: any Content-Encoding but identity is
 *   a 415 (inflating is work an attacker chooses).
 * The fast lane (fast-lane.ts) reads its two hot routes' forms itself under
 * the same rules; a test holds the two to the same answers.
 */

export { BODY_LIMIT } from '../lib/limits.js';

const FORM_TYPE = 'application/x-www-form-urlencoded';

/** A body is coming: a length above zero, or a chunked one (RFC 9112 §6.3). */
export function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

type MediaError = (hint: string) => OAuth2Error;

/** Content-Encoding other than identity (any case; empty means none) is refused, not inflated. */
export function assertIdentityEncoding(encoding: string | undefined, refuse: MediaError): void {
  const coding = encoding?.trim().toLowerCase();
  if (coding && coding !== 'identity') throw refuse('Request bodies must not be compressed (Content-Encoding is not supported).');
}

/**
 * koa-bodyparser inflates by Content-Encoding and knows `identity` only in
 * lower case; once assertIdentityEncoding has passed, the header says nothing,
 * so it goes (the fast lane never reads it further either).
 */
function dropIdentityEncoding(ctx: Context, refuse: MediaError): void {
  assertIdentityEncoding(ctx.get('content-encoding') || undefined, refuse);
  delete ctx.req.headers['content-encoding'];
}

export const tooLarge = (limit: number) => payloadTooLarge(`The body may be at most ${limit} bytes.`);

/** What co-body and raw-body throw, as our errors; the text says what was wrong and never echoes the body. */
function bodyError(limit: number, refuse: MediaError) {
  return (err: Error, ctx: Context): never => {
    if (err instanceof OAuth2Error) throw err;
    const { status, type } = err as Error & { status?: number; type?: string };
    if (status === 413 || type === 'entity.too.large') {
      // The rest of the body is not read; the connection closes after the answer.
      ctx.set('Connection', 'close');
      throw tooLarge(limit);
    }
    if (status === 415) throw refuse('The body has an unsupported encoding or charset.');
    if (type === 'request.aborted') throw invalidRequest('The request body ended early.');
    if (type === 'request.size.invalid') throw invalidRequest('The request body is shorter or longer than its Content-Length.');
    if (err instanceof SyntaxError) throw invalidRequest(`The request body is not valid JSON: ${jsonProblem(err.message)}.`);
    throw invalidRequest('The request body could not be read.').withCause(err);
  };
}

/** What was wrong with the JSON, never the input itself (V8's messages quote a slice of it, secrets included). */
function jsonProblem(message: string): string {
  if (/only supports object and array/.test(message)) return 'the body must be a JSON object or array';
  if (/forbidden prototype property/.test(message)) return 'the "__proto__" member is not allowed';
  if (/Unexpected end/.test(message)) return 'the body ends before the JSON does';
  const position = /at position (\d+)/.exec(message)?.[1];
  return position === undefined ? 'malformed JSON' : `malformed JSON at position ${position}`;
}

/**
 * Parses an `application/x-www-form-urlencoded` body (RFC 6749 §3.2) into
 * `ctx.request.body` as a null-prototype `Record<string, string>`; no body
 * reads as no parameters.
 */
export function formBody(limit = BODY_LIMIT): Middleware {
  // `qs` is passed through to co-body, which calls `qs.parse(text)`; the typings omit it.
  const options: bodyParser.Options & { qs: { parse: (text: string) => Record<string, string> } } = {
    enableTypes: ['form'],
    formLimit: `${limit}b`,
    qs: { parse: parseParams },
    onerror: bodyError(limit, unsupportedFormType),
  };
  const parse = bodyParser(options);
  return async (ctx, next) => {
    if (!hasBody(ctx.req)) {
      ctx.request.body = parseParams('');
      return next();
    }
    dropIdentityEncoding(ctx, unsupportedFormType);
    if (!ctx.request.is(FORM_TYPE)) throw unsupportedFormType(`Send the body as ${FORM_TYPE}.`);
    return parse(ctx, next);
  };
}

/**
 * Parses a JSON body (RFC 8259) into `ctx.request.body`: an object or an
 * array (strict), any `application/json` or `application/*+json` type. No
 * body leaves `ctx.request.body` undefined; the route decides whether that
 * is allowed.
 */
export function jsonBody(limit = BODY_LIMIT): Middleware {
  const parse = bodyParser({ enableTypes: ['json'], jsonLimit: `${limit}b`, strict: true, extendTypes: { json: ['+json'] }, onerror: bodyError(limit, unsupportedMediaType) });
  return async (ctx, next) => {
    if (!hasBody(ctx.req)) return next();
    dropIdentityEncoding(ctx, unsupportedMediaType);
    if (!ctx.request.is('application/json', 'application/*+json')) throw unsupportedMediaType('Send the body as application/json.');
    return parse(ctx, async () => {
      // A chunked body may still be empty.
      if (ctx.request.rawBody === '') ctx.request.body = undefined;
      else assertCleanJson(ctx.request.body);
      await next();
    });
  };
}

/** The form `formBody` parsed. */
export function formOf(ctx: Context): Record<string, string> {
  return ctx.request.body as Record<string, string>;
}

/** The JSON value `jsonBody` parsed, or undefined when there was no body. */
export function jsonOf(ctx: Context): unknown {
  return ctx.request.body;
}
