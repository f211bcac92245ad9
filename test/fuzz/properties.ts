import type { RawAnswer, RawRequest } from './raw-http.js';
import { grown, type Counts } from './rows.js';

/*
 * What must hold for every answer, whatever was sent: no 5xx; no stack trace
 * or source path in the body; a 4xx is the JSON error object (or, for a
 * browser at the authorization and logout endpoints, the HTML error page); a
 * 4xx wrote no row.
 */

/** A stack frame, a source path, a node-internal module: internals the body must not show. */
const LEAKS: readonly RegExp[] = [/^\s*at .+(:\d+:\d+|\(native\)|<anonymous>)/m, /\bat [\w.<>$]+ \(/, /\/src\//, /\.ts:/, /node:\w/, /\b\w*Error: [^\n]*\n\s+at /];

/** The endpoints that show a browser (Accept: text/html) an HTML error page instead of JSON (README, issue 19 item 6). */
const BROWSER_PAGES = /^\/oauth2\/(auth|sessions\/logout|device\/verify)\/?(\?|$)/;

/** An HTML error page where the server shows one: a browser endpoint, asked for text/html. */
function browserErrorPage(req: RawRequest, answer: RawAnswer): boolean {
  const accept = req.headers.filter(([name]) => name.toLowerCase() === 'accept').map(([, value]) => value.toString('latin1')).join(',');
  return BROWSER_PAGES.test(req.target.toString('latin1')) && /text\/html/i.test(accept) && /^text\/html\b/.test(answer.headers['content-type'] ?? '');
}

/**
 * Node's own HTTP server refuses some requests before any application code
 * runs, with an empty body: 400 (malformed), 413, 417 (an `Expect` other than
 * 100-continue) and 431 (headers over 16 KB).
 */
export function fromNodeParser(answer: RawAnswer): boolean {
  return [400, 413, 417, 431].includes(answer.status) && answer.body === '' && answer.headers['content-type'] === undefined;
}

function requestText(req: RawRequest): string {
  const bytes = Buffer.concat([req.target, ...req.headers.flatMap(([n, v]) => [Buffer.from(n), v]), req.body ?? Buffer.alloc(0)]);
  const plain = `${bytes.toString('latin1')}\n${bytes.toString('utf8')}`;
  let decoded = '';
  try {
    decoded = decodeURIComponent(plain.replace(/\+/g, ' '));
  } catch {
    decoded = plain.replace(/%([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
  return `${plain}\n${decoded}\n${Buffer.from(decoded, 'latin1').toString('utf8')}`;
}

/** Leak markers in `body` that the request did not itself carry (an echoed parameter is not a leak). */
export function leaks(body: string, req: RawRequest): string[] {
  const sent = requestText(req);
  return LEAKS.map((re) => re.exec(body)?.[0]).filter((m): m is string => m !== undefined && !sent.includes(m.trim()));
}

function errorShape(answer: RawAnswer): string | undefined {
  if (!/^application\/json\b/.test(answer.headers['content-type'] ?? '')) return `a ${answer.status} that is not JSON (${answer.headers['content-type'] ?? 'no Content-Type'})`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return `a ${answer.status} whose body is not JSON`;
  }
  const e = parsed as { error?: unknown; error_description?: unknown } | null;
  if (typeof e?.error !== 'string' || e.error === '' || typeof e.error_description !== 'string') return `a ${answer.status} that is not {error, error_description}`;
  return undefined;
}

export interface Observed {
  readonly request: RawRequest;
  readonly answer: RawAnswer;
  readonly before: Counts;
  readonly after: Counts;
}

/** Everything wrong with one answer; empty when it is fine. */
export function problems({ request, answer, before, after }: Observed, jsonErrors = true): string[] {
  const found: string[] = [];
  if (answer.status >= 500) found.push(`answered ${answer.status}`);
  const leaked = leaks(answer.body, request);
  if (leaked.length > 0) found.push(`the body shows internals: ${JSON.stringify(leaked)}`);
  if (jsonErrors && answer.status >= 400 && request.method !== 'HEAD' && !fromNodeParser(answer) && !browserErrorPage(request, answer)) {
    const shape = errorShape(answer);
    if (shape) found.push(shape);
  }
  if (answer.status >= 400 && answer.status < 500) {
    const wrote = grown(before, after);
    if (wrote.length > 0) found.push(`a ${answer.status} wrote rows: ${wrote.join(', ')}`);
  }
  return found;
}
