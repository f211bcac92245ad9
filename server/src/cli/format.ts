import { UsageError } from './errors.js';

/*
 * `--format json|table` (Hydra's flag). JSON (the default) is the API's
 * answer as it came, for scripts and jq; a table is for a person: aligned
 * columns, lists joined with commas, absent fields empty.
 */

export type Format = 'json' | 'table';
type Out = (line: string) => void;
export type Row = Readonly<Record<string, unknown>>;
/** A column: its heading and the field it shows. */
export type Column = readonly [heading: string, field: string];

export function parseFormat(value: unknown): Format {
  if (value === undefined) return 'json';
  if (value === 'json' || value === 'table') return value;
  throw new UsageError(`--format takes json or table, not "${String(value)}"`);
}

const cell = (value: unknown): string => {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(cell).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
};

/** Rows under headings, each column as wide as its widest cell. */
export function table(rows: readonly Row[], columns: readonly Column[], out: Out): void {
  const cells = rows.map((row) => columns.map(([, field]) => cell(row[field])));
  const widths = columns.map(([heading], i) => Math.max(heading.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (values: readonly string[]) => values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  out(line(columns.map(([heading]) => heading)));
  for (const r of cells) out(line(r));
}

/** One object as `KEY  value` lines, in the order of `columns` (fields absent from the object are left out). */
export function keyValues(row: Row, columns: readonly Column[], out: Out): void {
  const present = columns.filter(([, field]) => row[field] !== undefined);
  const width = Math.max(0, ...present.map(([heading]) => heading.length));
  for (const [heading, field] of present) out(`${heading.padEnd(width)}  ${cell(row[field])}`.trimEnd());
}

/** JSON as the API sent it, or `render` for a person. */
export function show(format: Format, value: unknown, render: () => void, out: Out): void {
  if (format === 'json') out(JSON.stringify(value, null, 2));
  else render();
}

export const CLIENT_COLUMNS: readonly Column[] = [
  ['CLIENT ID', 'client_id'],
  ['CLIENT SECRET', 'client_secret'],
  ['NAME', 'client_name'],
  ['GRANT TYPES', 'grant_types'],
  ['RESPONSE TYPES', 'response_types'],
  ['SCOPE', 'scope'],
  ['AUDIENCE', 'audience'],
  ['REDIRECT URIS', 'redirect_uris'],
  ['AUTH METHOD', 'token_endpoint_auth_method'],
];

export const TOKEN_COLUMNS: readonly Column[] = [
  ['ACCESS TOKEN', 'access_token'],
  ['REFRESH TOKEN', 'refresh_token'],
  ['ID TOKEN', 'id_token'],
  ['TOKEN TYPE', 'token_type'],
  ['EXPIRES IN', 'expires_in'],
  ['SCOPE', 'scope'],
];

export const INTROSPECTION_COLUMNS: readonly Column[] = [
  ['ACTIVE', 'active'],
  ['SUBJECT', 'sub'],
  ['CLIENT ID', 'client_id'],
  ['SCOPE', 'scope'],
  ['AUDIENCE', 'aud'],
  ['TOKEN USE', 'token_use'],
  ['EXPIRES AT', 'exp'],
  ['ISSUED AT', 'iat'],
  ['ISSUER', 'iss'],
];
