import type { OAuth2Client } from './contract/clients.js';
import type { OAuth2ConsentSession } from './contract/flows.js';
import { TesseraError } from './errors.js';
import type { Reply } from './transport.js';

/*
 * Hydra v2's pagination of `GET /admin/clients` and
 * `GET /admin/oauth2/auth/sessions/consent`: the page is the body,
 * the way on is an RFC 8288 `Link: <…page_token=…>; rel="next"` header and
 * the size of the whole list is `X-Total-Count`.
 */

/** One page of `listClients`. */
export interface ClientPage {
  readonly clients: OAuth2Client[];
  /** Pass as `page_token` to get the next page; undefined on the last page. */
  readonly nextPageToken: string | undefined;
  /** How many clients match the filters, over all pages. */
  readonly total: number;
}

/** One page of `listConsentSessions`. */
export interface ConsentSessionPage {
  readonly sessions: OAuth2ConsentSession[];
  /** Pass as `page_token` to get the next page; undefined on the last page. */
  readonly nextPageToken: string | undefined;
  /** How many consent sessions match, over all pages. */
  readonly total: number;
}

const invalid = (reply: Reply, description: string) =>
  new TesseraError({ status: reply.status, error: 'invalid_response', error_description: description, requestId: reply.requestId });

/** `<target>; rel="next"; …` entries of a Link header (RFC 8288 §3). */
function linkTargets(header: string, rel: string): string[] {
  const found: string[] = [];
  for (const match of header.matchAll(/<([^>]*)>([^,<]*)/g)) {
    const params = (match[2] ?? '').split(';').slice(1);
    const rels = params
      .map((p) => /^\s*rel\s*=\s*"?([^"]*)"?\s*$/i.exec(p)?.[1])
      .filter((r): r is string => r !== undefined)
      .flatMap((r) => r.toLowerCase().split(/\s+/));
    if (rels.includes(rel)) found.push(match[1] ?? '');
  }
  return found;
}

/**
 * The `page_token` of the `next` link. Only the token is taken, not the
 * target: the server writes the target relative to its own root, which is
 * wrong behind a gateway that adds a path prefix.
 */
export function nextPageToken(reply: Reply): string | undefined {
  const [target] = linkTargets(reply.headers.get('link') ?? '', 'next');
  if (target === undefined) return undefined;
  const token = new URL(target, 'http://link.invalid').searchParams.get('page_token');
  if (!token) throw invalid(reply, `The next link has no page_token: ${target}`);
  return token;
}

export function totalCount(reply: Reply): number {
  const header = reply.headers.get('x-total-count');
  const total = header === null || !/^\d+$/.test(header.trim()) ? NaN : Number(header);
  if (!Number.isSafeInteger(total)) throw invalid(reply, `X-Total-Count is missing or not a count: ${String(header)}`);
  return total;
}

/**
 * Every item of every page, fetched as the loop asks. A server that hands out
 * a page token twice would loop forever; that stops with `invalid_response`.
 */
export async function* allPages<T>(
  fetchPage: (pageToken: string | undefined) => Promise<{ readonly items: readonly T[]; readonly nextPageToken: string | undefined }>,
): AsyncGenerator<T, void, undefined> {
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    yield* page.items;
    token = page.nextPageToken;
    if (token !== undefined && seen.has(token)) {
      throw new TesseraError({ status: 200, error: 'invalid_response', error_description: 'The next page token repeats an earlier one.' });
    }
    if (token !== undefined) seen.add(token);
  } while (token !== undefined);
}
