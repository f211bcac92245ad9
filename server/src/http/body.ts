import type { Context } from 'koa';
import { invalidRequest, payloadTooLarge, unsupportedMediaType } from '../errors/catalog.js';

/** Admin and public bodies are small; anything larger is a mistake or an attack. */
export const BODY_LIMIT = 100 * 1024;

/** Reads the raw body, refusing (413) past `limit` without buffering the rest. */
export async function readBody(ctx: Context, limit = BODY_LIMIT): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) throw payloadTooLarge(`The body may be at most ${limit} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) {
      ctx.req.unpipe();
      ctx.set('Connection', 'close');
      throw payloadTooLarge(`The body may be at most ${limit} bytes.`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, size);
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
