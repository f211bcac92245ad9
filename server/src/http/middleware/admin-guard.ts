import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Middleware } from 'koa';
import { invalidRequest, invalidToken, misdirectedRequest, requestUnauthorized } from '../../errors/catalog.js';
import { sha256 } from '../../lib/crypto.js';
import { hostMatches, parseHostHeader, type HostAndPort } from '../../lib/host.js';

/*
 * Optional protection of the admin API, which Hydra leaves to the network
 * (README "Protecting the admin API"). Both parts are off by default, so a
 * Hydra set-up works unchanged.
 *
 * - Host allow-list: a page on attacker.example whose name is re-pointed to
 *   127.0.0.1 (DNS rebinding) reaches the admin port from the victim's
 *   browser as same-origin, but its requests still say `Host:
 *   attacker.example`. Those get 421 Misdirected Request (RFC 9110 §15.5.20:
 *   this server is not authoritative for that host), so the page reads
 *   nothing. A Host header that is missing, malformed, sent twice or not
 *   printable ASCII is 400 (RFC 9112 §3.2: "more than one Host header field
 *   line or a Host header field with an invalid field value"); node keeps
 *   only the first of two, so they are counted in the raw headers. A request
 *   in absolute form (`GET http://evil/admin/clients`) is judged on the
 *   target's authority, which RFC 9112 §3.2.2 makes win over Host.
 * - Bearer tokens (RFC 6750 §2.1): the configuration holds SHA-256 digests;
 *   the presented token is hashed and compared with every digest in
 *   constant time. No credentials: 401 `request_unauthorized`, a challenge
 *   without an error code (RFC 6750 §3.1); wrong ones: 401 `invalid_token`.
 *
 * `/health/alive` and `/health/ready` stay open: load balancers and kubelet
 * probe them by IP, without a token, and they reveal nothing.
 */

export interface AdminGuardOptions {
  /** Host header values the admin port answers to; empty means any (Hydra's behaviour). */
  readonly allowedHosts: readonly HostAndPort[];
  /** SHA-256 hex digests of the accepted bearer tokens; empty means none is needed (Hydra's behaviour). */
  readonly tokenDigests: readonly string[];
}

export interface AdminGuard {
  /** Throws the OAuth2Error to answer with, or returns when the request may proceed (koa and the fast lane alike). */
  check(req: IncomingMessage): void;
  /** `check` on every koa request but the health probes. */
  readonly middleware: Middleware;
  /** Whether anything is checked at all (the fast lane skips the call when not). */
  readonly active: boolean;
}

const OPEN_PATHS = new Set(['/health/alive', '/health/ready']);
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** Every Host header line as sent (rawHeaders alternates names and values). */
function hostLines(req: IncomingMessage): string[] {
  const lines: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]?.toLowerCase() === 'host') lines.push(req.rawHeaders[i + 1] ?? '');
  }
  return lines;
}

/** `scheme://authority` at the start of an absolute-form target (RFC 9112 §3.2.2); undefined for origin form. */
const ABSOLUTE_FORM = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)/;

/** The authority the request names: the absolute-form target's, else the single Host header's. */
function authorityOf(req: IncomingMessage): HostAndPort {
  const lines = hostLines(req);
  if (lines.length > 1) throw invalidRequest('The request has more than one Host header (RFC 9112 §3.2).');
  const header = lines[0];
  const fromHeader = header === undefined || header === '' ? undefined : parseHostHeader(header);
  if (header !== undefined && header !== '' && !fromHeader) throw invalidRequest('The Host header is malformed.');
  const url = req.url ?? '';
  if (url.startsWith('/') || url === '*') {
    if (!fromHeader) throw invalidRequest('The Host header is required.');
    return fromHeader;
  }
  // Absolute form: the Host header, if any, was checked for validity above; the target decides.
  const absolute = ABSOLUTE_FORM.exec(url);
  const scheme = absolute?.[1]?.toLowerCase();
  const fromTarget = absolute && (scheme === 'http' || scheme === 'https') ? parseHostHeader(absolute[2] ?? '') : undefined;
  if (!fromTarget) throw invalidRequest('The request target is malformed.');
  return fromTarget;
}

function checkHost(allowed: readonly HostAndPort[], req: IncomingMessage): void {
  if (allowed.length === 0) return;
  const actual = authorityOf(req);
  if (!allowed.some((pattern) => hostMatches(pattern, actual))) {
    throw misdirectedRequest('This host name is not in serve.admin.allowed_hosts.');
  }
}

function checkToken(digests: readonly Buffer[], authorization: string | undefined): void {
  if (digests.length === 0) return;
  if (authorization === undefined || !/^bearer(\s|$)/i.test(authorization)) {
    throw requestUnauthorized('Send an admin token as "Authorization: Bearer <token>".');
  }
  const token = BEARER.exec(authorization)?.[1];
  const presented = sha256(token ?? '');
  let accepted = false;
  // Every digest is compared, whatever matched before: the time taken says nothing about which one.
  for (const digest of digests) accepted = timingSafeEqual(presented, digest) || accepted;
  if (token === undefined || !accepted) throw invalidToken('The admin token is not valid.');
}

export function createAdminGuard(options: AdminGuardOptions): AdminGuard {
  const { allowedHosts } = options;
  const digests = options.tokenDigests.map((hex) => Buffer.from(hex, 'hex'));
  const check = (req: IncomingMessage): void => {
    checkHost(allowedHosts, req);
    checkToken(digests, req.headers.authorization);
  };
  return {
    check,
    middleware: async (ctx, next) => {
      if (!OPEN_PATHS.has(ctx.path)) check(ctx.req);
      await next();
    },
    active: allowedHosts.length > 0 || digests.length > 0,
  };
}
