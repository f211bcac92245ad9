import { readFileSync } from 'node:fs';

/*
 * Operator-defined texts for scopes (issue 19): an API's own scopes
 * (`billing:read`) deserve the same plain words on the consent screen as
 * `email` does. A JSON file named by SCOPE_DESCRIPTIONS_FILE:
 *
 *   { "billing:read": { "title": "Read your invoices", "description": "See invoices and payment history." } }
 *
 * Its entries win over the built-in texts (an operator may reword
 * `profile`). Checked once at start: a typo stops the app with the key named
 * rather than showing a half-described scope.
 */

export interface ScopeText {
  readonly title: string;
  readonly description: string;
}

const MAX_TITLE = 80;
const MAX_DESCRIPTION = 300;
const MAX_ENTRIES = 500;

/** Why `value` is not a scope text, or undefined when it is one. */
function problem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object with "title" and "description"';
  const { title, description, ...rest } = value as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) return `unknown field "${extra}" (only "title" and "description")`;
  if (typeof title !== 'string' || title.trim() === '' || title.length > MAX_TITLE) return `"title" must be text of 1 to ${MAX_TITLE} characters`;
  if (typeof description !== 'string' || description.trim() === '' || description.length > MAX_DESCRIPTION) return `"description" must be text of 1 to ${MAX_DESCRIPTION} characters`;
  return undefined;
}

/** Parses the file's text; throws an Error naming the scope (or the file) at fault. */
export function parseScopeTexts(text: string): ReadonlyMap<string, ScopeText> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('must be a JSON object keyed by scope');
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length > MAX_ENTRIES) throw new Error(`has ${entries.length} scopes; at most ${MAX_ENTRIES}`);
  // A Map: scopes come from authorization requests, and `constructor` is a scope name like any other.
  const texts = new Map<string, ScopeText>();
  for (const [scope, value] of entries) {
    // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
    if (!/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(scope)) throw new Error(`"${scope}" is not a scope (RFC 6749 §3.3)`);
    const why = problem(value);
    if (why) throw new Error(`"${scope}": ${why}`);
    const { title, description } = value as ScopeText;
    texts.set(scope, { title: title.trim(), description: description.trim() });
  }
  return texts;
}

export function loadScopeTexts(file: string): ReadonlyMap<string, ScopeText> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseScopeTexts(text);
}
