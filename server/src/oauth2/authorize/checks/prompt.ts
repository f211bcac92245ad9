import { invalidRequest } from '../../../errors/catalog.js';

const PROMPTS = new Set(['none', 'login', 'consent', 'select_account']);

/** OpenID Connect Core §3.1.2.1: a space-separated set; `none` stands alone. */
export function parsePrompt(prompt: string | undefined): string[] {
  const values = [...new Set((prompt ?? '').split(' ').filter((p) => p !== ''))];
  for (const p of values) if (!PROMPTS.has(p)) throw invalidRequest(`The prompt value "${p}" is not supported.`);
  if (values.includes('none') && values.length > 1) throw invalidRequest('prompt=none must not be combined with other values.');
  return values;
}

/** `max_age`: a non-negative number of seconds. */
export function parseMaxAge(maxAge: string | undefined): number | undefined {
  if (maxAge === undefined || maxAge === '') return undefined;
  if (!/^\d{1,10}$/.test(maxAge)) throw invalidRequest('max_age must be a non-negative integer of seconds.');
  return Number(maxAge);
}
