import type { z } from 'zod';
import { invalidRequest } from '../errors/catalog.js';

/**
 * Applies a contract schema at the edge. The first zod issue becomes the
 * hint, naming the field (`redirect_uris.0: Expected string`).
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw invalidRequest(`The ${what} is invalid: ${where}${issue?.message ?? 'malformed'}.`);
}
