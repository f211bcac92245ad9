import type { Context } from 'koa';
import { invalidRequest } from '../errors/catalog.js';
import { readBody } from './body.js';

/** Parameters that may legitimately repeat; their values are joined with spaces (fosite's GetAudiences). */
const REPEATABLE = new Set(['audience']);

/**
 * An application/x-www-form-urlencoded body (RFC 6749 §3.2), parsed by hand:
 * cheaper than a generic body parser on the hot endpoints (DESIGN.md), and
 * strict: "parameters MUST NOT be included more than once".
 */
export async function readForm(ctx: Context): Promise<Record<string, string>> {
  const type = ctx.get('content-type');
  const raw = await readBody(ctx);
  if (raw.length > 0 && !/^application\/x-www-form-urlencoded\b/i.test(type)) {
    throw invalidRequest('The request body must be application/x-www-form-urlencoded.');
  }
  const form: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of new URLSearchParams(raw.toString('utf8'))) {
    if (name.includes('\0') || value.includes('\0')) throw invalidRequest('Parameters must not contain NUL characters.');
    const previous = form[name];
    if (previous === undefined) form[name] = value;
    else if (REPEATABLE.has(name)) form[name] = `${previous} ${value}`;
    else throw invalidRequest(`The parameter "${name}" appears more than once (RFC 6749 §3.2).`);
  }
  return form;
}
