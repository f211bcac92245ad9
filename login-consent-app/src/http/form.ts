import type { Context, Middleware } from 'koa';
import bodyParser from 'koa-bodyparser';

/*
 * The app's forms, read by koa-bodyparser (limit, stream handling) and kept
 * as URLSearchParams rather than parsed by `qs`: `a[b]=c` stays the field
 * "a[b]" instead of becoming an object, no name reaches Object.prototype,
 * and a field sent twice is refused where it is read (`field`).
 */

/** Our forms are a handful of short fields; anything bigger is not one of them. */
const LIMIT_BYTES = 16 * 1024;

const FORM_TYPE = 'application/x-www-form-urlencoded';

// With the u flag a surrogate pair is one code point, so \p{Cs} matches only a lone surrogate.
const NOT_TEXT = /[\u0000\uFFFD\p{Cs}]/u;

export class BadForm extends Error {
  readonly status: 400 | 413 | 415;

  constructor(status: 400 | 413 | 415, message: string) {
    super(message);
    this.name = 'BadForm';
    this.status = status;
  }
}

/** co-body's errors, as what the user is told; the body is never echoed. */
function bodyError(err: Error, ctx: Context): never {
  if (err instanceof BadForm) throw err;
  const { status, type } = err as Error & { status?: number; type?: string };
  if (status === 413 || type === 'entity.too.large') {
    ctx.set('Connection', 'close');
    throw new BadForm(413, 'The form is too large.');
  }
  if (status === 415) throw new BadForm(415, 'The form has an unsupported encoding.');
  throw new BadForm(400, 'The form could not be read.');
}

/** Form text as URLSearchParams; NUL and invalid UTF-8 (decoded as U+FFFD) are refused. */
function parseForm(text: string): URLSearchParams {
  const form = new URLSearchParams(text);
  for (const [name, value] of form) {
    if (NOT_TEXT.test(name) || NOT_TEXT.test(value)) throw new BadForm(400, 'The form must be UTF-8 text without NUL characters.');
  }
  return form;
}

// `qs` is passed through to co-body, which calls `qs.parse(text)`; the typings omit it.
const options: bodyParser.Options & { qs: { parse: (text: string) => URLSearchParams } } = {
  enableTypes: ['form'],
  formLimit: `${LIMIT_BYTES}b`,
  qs: { parse: parseForm },
  onerror: bodyError,
};
const parse = bodyParser(options);

/**
 * Route middleware for the app's POST routes: the body must be a form
 * (415 otherwise, compressed bodies included); it is left in
 * `ctx.request.body` for `formOf`.
 */
export const formBody: Middleware = async (ctx, next) => {
  if (!ctx.is(FORM_TYPE)) throw new BadForm(415, 'Expected a form submission.');
  const encoding = ctx.get('content-encoding');
  if (encoding && encoding.toLowerCase() !== 'identity') throw new BadForm(415, 'Expected an uncompressed form submission.');
  return parse(ctx, next);
};

/** The form `formBody` read. */
export function formOf(ctx: Context): URLSearchParams {
  const form = ctx.request.body;
  return form instanceof URLSearchParams ? form : new URLSearchParams();
}

/** One field's value; a repeated field is refused rather than guessed at. */
export function field(form: URLSearchParams, name: string): string {
  const values = form.getAll(name);
  if (values.length > 1) throw new BadForm(400, `The field ${name} was sent more than once.`);
  return values[0] ?? '';
}
