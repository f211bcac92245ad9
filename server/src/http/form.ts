import type { Context } from 'koa';
import { invalidRequest } from '../errors/catalog.js';
import { parseParams } from '../lib/params.js';
import { readBody } from './body.js';

/**
 * An application/x-www-form-urlencoded body (RFC 6749 §3.2), parsed by hand:
 * cheaper than a generic body parser on the hot endpoints (DESIGN.md).
 */
export async function readForm(ctx: Context): Promise<Record<string, string>> {
  return parseForm(ctx.get('content-type'), await readBody(ctx));
}

export function parseForm(contentType: string | undefined, raw: Buffer): Record<string, string> {
  if (raw.length > 0 && !/^application\/x-www-form-urlencoded\b/i.test(contentType ?? '')) {
    throw invalidRequest('The request body must be application/x-www-form-urlencoded.');
  }
  return parseParams(raw.toString('utf8'));
}
