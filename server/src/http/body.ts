import type { IncomingMessage } from 'node:http';
import type { Context } from 'koa';
import { invalidRequest, payloadTooLarge, unsupportedMediaType } from '../errors/catalog.js';

/** Admin and public bodies are small; anything larger is a mistake or an attack. */
export const BODY_LIMIT = 100 * 1024;

/**
 * Reads the raw body, refusing (413) past `limit` without buffering the rest.
 * Stream events rather than `for await`: an async iterator per request was a
 * measurable part of a token request.
 */
export function readBody(ctx: Context, limit = BODY_LIMIT): Promise<Buffer> {
  return readRequestBody(ctx.req, limit, () => ctx.set('Connection', 'close'));
}

/** readBody on node's request; `overflowed` runs when the body is cut off (the connection should close after the 413). */
export function readRequestBody(req: IncomingMessage, limit: number, overflowed: () => void): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] || 0);
  if (declared > limit) return Promise.reject(payloadTooLarge(`The body may be at most ${limit} bytes.`));
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
        reject(payloadTooLarge(`The body may be at most ${limit} bytes.`));
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

/** A JSON body (RFC 8259). A missing body reads as `undefined`; malformed JSON is a 400. */
export async function readJson(ctx: Context): Promise<unknown> {
  const type = ctx.get('content-type');
  const raw = await readBody(ctx);
  if (raw.length === 0) return undefined;
  if (type && !/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    throw unsupportedMediaType('Send the body as application/json.');
  }
  let nul = false;
  let value: unknown;
  try {
    // PostgreSQL cannot store U+0000 in text; refuse it here rather than fail in the database.
    value = JSON.parse(raw.toString('utf8'), (key, v: unknown) => {
      if (key.includes('\0') || (typeof v === 'string' && v.includes('\0'))) nul = true;
      return v;
    });
  } catch {
    throw invalidRequest('The request body is not valid JSON.');
  }
  if (nul) throw invalidRequest('The request body must not contain NUL characters.');
  return value;
}
