import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, loadSystemSecrets } from '../config/load.js';
import { createTokenStrategy, type TokenStrategy } from '../tokens/hmac.js';
import { findTokens, isAuthentic, redact, type ScannedKind } from '../tokens/leaks/grammar.js';
import { VERSION } from '../version.js';
import { AdminApiError } from './clients.js';
import { EXIT, UsageError } from './errors.js';
import { scanInputs, type ScanInput } from './scan-files.js';
import { toSarif } from './sarif.js';

/*
 * `tessera scan [PATH…]` (issue 18): finds Tessera tokens in files, in
 * directories (recursively; node_modules, .git, binaries skipped) or on
 * standard input, and, with the system secret (SECRETS_SYSTEM, --config, or
 * --dev's generated one), tells authentic from forged by the HMAC alone: no
 * database, no server. Tokens are shown redacted (`ory_at_AbCd…`).
 * `--format sarif` for code-scanning UIs; `--report` sends what may be live
 * to the admin API, which revokes it with its grant. Exit 1 when an
 * authentic token was found (without a secret: any token, since none can be
 * ruled out), 0 otherwise.
 */

export interface ScanArgs {
  readonly paths: readonly string[];
  readonly config: string | undefined;
  readonly dev: boolean;
  readonly format: string | undefined;
  readonly report: boolean;
  readonly endpoint: string | undefined;
  readonly tokenFile: string | undefined;
}

export type FindingStatus = 'authentic' | 'forged' | 'unverified';

export interface Finding {
  readonly path: string;
  readonly line: number;
  readonly column: number;
  readonly kind: ScannedKind;
  readonly status: FindingStatus;
  readonly redacted: string;
  readonly tokenHash: string;
  /** The admin API's answer, with --report. */
  readonly outcome?: string | undefined;
}

interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly stdin: () => Promise<string>;
}

/** The system secrets when configured; undefined when none is (the scan then cannot classify). */
function strategyFor(args: ScanArgs): TokenStrategy | undefined {
  try {
    return createTokenStrategy(loadSystemSecrets({ file: args.config, dev: args.dev, warn: () => {} }));
  } catch (err) {
    if (err instanceof ConfigError && err.key === 'secrets.system' && err.reason.startsWith('is required')) return undefined;
    throw err;
  }
}

/** Each token of `text` with its place; the token itself stays in the second element only, for --report. */
export function scanText(path: string, text: string, strategy: TokenStrategy | undefined): Array<[Finding, string]> {
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  return findTokens(text).map(({ token, kind, index }) => {
    // The last line start at or before the token (binary search: a minified file is one long line, a log many short ones).
    let [line, hi] = [0, lineStarts.length - 1];
    while (line < hi) {
      const mid = (line + hi + 1) >> 1;
      if ((lineStarts[mid] ?? Infinity) <= index) line = mid;
      else hi = mid - 1;
    }
    const status: FindingStatus = strategy === undefined ? 'unverified' : isAuthentic(strategy, token) ? 'authentic' : 'forged';
    const finding: Finding = {
      path,
      line: line + 1,
      column: index - (lineStarts[line] ?? 0) + 1,
      kind,
      status,
      redacted: redact(token),
      tokenHash: createHash('sha256').update(token).digest('hex'),
    };
    return [finding, token];
  });
}

async function collect(args: ScanArgs, strategy: TokenStrategy | undefined, io: Io): Promise<{ found: Array<[Finding, string]>; skipped: number }> {
  const found: Array<[Finding, string]> = [];
  let skipped = 0;
  const inputs: AsyncIterable<ScanInput> | ScanInput[] = args.paths.length === 0 ? [{ path: '<stdin>', text: await io.stdin() }] : scanInputs(args.paths);
  for await (const input of inputs) {
    if ('skipped' in input) {
      skipped++;
      io.err(`skipped ${input.path}: ${input.skipped}`);
      continue;
    }
    found.push(...scanText(input.path, input.text, strategy));
  }
  return { found, skipped };
}

function adminToken(tokenFile: string | undefined): string | undefined {
  if (tokenFile === undefined) return process.env['TESSERA_ADMIN_TOKEN'] || undefined;
  try {
    return readFileSync(tokenFile, 'utf8').trim();
  } catch (err) {
    throw new UsageError(`--token-file ${tokenFile}: ${(err as NodeJS.ErrnoException).code ?? 'cannot read'}`);
  }
}

/** Batches of at most 1000 items and about 64 KB of JSON: the endpoint's limits (items, body size). */
function batches<T>(items: readonly T[], size: (item: T) => number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length === 1000 || bytes + size(item) > 64 * 1024)) {
      out.push(current);
      [current, bytes] = [[], 0];
    }
    current.push(item);
    bytes += size(item);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * POSTs each distinct token once to `/admin/oauth2/tokens/leaked`, where it was
 * first seen as `url`; the outcome by token.
 */
async function report(args: ScanArgs, items: ReadonlyArray<[Finding, string]>): Promise<Map<string, string>> {
  const endpoint = args.endpoint ?? process.env['TESSERA_ADMIN_URL'] ?? 'http://127.0.0.1:4445';
  if (!URL.canParse(endpoint)) throw new UsageError(`--endpoint "${endpoint}" is not a URL`);
  const url = new URL('admin/oauth2/tokens/leaked', endpoint.endsWith('/') ? endpoint : `${endpoint}/`);
  const token = adminToken(args.tokenFile);
  const first = new Map<string, Finding>();
  for (const [f, t] of items) if (!first.has(t)) first.set(t, f);
  const distinct = [...first].map(([t, f]) => ({ token: t, url: `${f.path}:${f.line}`.slice(0, 2048), source: 'tessera scan' }));
  const outcomes = new Map<string, string>();
  for (const batch of batches(distinct, (i) => JSON.stringify(i).length + 1)) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(batch),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (!res.ok) throw new AdminApiError(res.status, text);
    (JSON.parse(text) as Array<{ outcome: string }>).forEach((r, i) => outcomes.set(batch[i]?.token ?? '', r.outcome));
  }
  return outcomes;
}

const line = (f: Finding) => `${f.path}:${f.line}:${f.column}: ${f.status} ${f.kind} ${f.redacted}${f.outcome ? ` -> ${f.outcome}` : ''}`;

export async function scan(args: ScanArgs, io: Io): Promise<number> {
  const format = args.format ?? 'text';
  if (format !== 'text' && format !== 'sarif') throw new UsageError(`--format must be text or sarif, not "${format}"`);
  const strategy = strategyFor(args);
  const { found, skipped } = await collect(args, strategy, io);
  // Without the secret nothing can be ruled out, so every match goes to the server, which judges it.
  const toReport = found.filter(([f]) => f.status !== 'forged');
  const outcomes = args.report && toReport.length > 0 ? await report(args, toReport) : new Map<string, string>();
  const findings = found.map(([f, t]) => (outcomes.has(t) ? { ...f, outcome: outcomes.get(t) } : f));

  if (format === 'sarif') io.out(JSON.stringify(toSarif(findings, VERSION), null, 2));
  else for (const f of findings) io.out(line(f));
  const count = (s: FindingStatus) => findings.filter((f) => f.status === s).length;
  io.err(
    `${findings.length} token(s): ${count('authentic')} authentic, ${count('forged')} forged, ${count('unverified')} unverified` +
      `${strategy ? '' : ' (no system secret: set SECRETS_SYSTEM or --config to classify)'}; ${skipped} file(s) skipped`,
  );
  const live = strategy ? count('authentic') : findings.length;
  return live > 0 ? EXIT.failure : EXIT.ok;
}

/** Standard input as UTF-8 text. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
