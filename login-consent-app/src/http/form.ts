import type { Context } from 'koa';

/** Our forms are a handful of short fields; anything bigger is not one of them. */
const LIMIT_BYTES = 16 * 1024;

export class BadForm extends Error {
  readonly status: 400 | 413 | 415;

  constructor(status: 400 | 413 | 415, message: string) {
    super(message);
    this.name = 'BadForm';
    this.status = status;
  }
}

/** The posted `application/x-www-form-urlencoded` body, read with a size limit. */
export async function readForm(ctx: Context): Promise<URLSearchParams> {
  if (!ctx.is('application/x-www-form-urlencoded')) throw new BadForm(415, 'Expected a form submission.');
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > LIMIT_BYTES) throw new BadForm(413, 'The form is too large.');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > LIMIT_BYTES) throw new BadForm(413, 'The form is too large.');
    chunks.push(buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** One field's value; a repeated field is refused rather than guessed at. */
export function field(form: URLSearchParams, name: string): string {
  const values = form.getAll(name);
  if (values.length > 1) throw new BadForm(400, `The field ${name} was sent more than once.`);
  return values[0] ?? '';
}
