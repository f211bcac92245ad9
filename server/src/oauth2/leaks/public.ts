import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { PublicLeakReport, type PublicLeakAnswer } from '@tessera/sdk';
import { invalidRequest, requestUnauthorized } from '../../errors/catalog.js';
import { json, type HandlerResult } from '../../lib/result.js';
import { assertCleanJson } from '../../lib/text.js';
import { processLeaks, type LeakDeps } from './process.js';
import type { RateLimiter } from './rate-limit.js';

/*
 * The public endpoint for third-party scanners (extension, off by default),
 * in the shape of GitHub's secret-scanning partner programme: the sender
 * POSTs `[{token, type, url, source}]` and signs the raw body with ECDSA
 * (SHA-256, DER signature, base64) under a key it publishes; it names the
 * key in `<Sender>-Public-Key-Identifier` and sends the signature in
 * `<Sender>-Public-Key-Signature`. We cannot fetch the sender's keys here,
 * so they are configured per sender. The order matters: the rate limit, then
 * the signature over the exact bytes received, and only then is the body
 * parsed: an unsigned or badly signed request is 401 whatever its body,
 * and nothing is revoked.
 */

export interface PublicSender {
  readonly id: string;
  readonly publicKeys: ReadonlyMap<string, KeyObject>;
}

export interface PublicLeakDeps extends LeakDeps {
  readonly senders: readonly PublicSender[];
  readonly limiter: RateLimiter;
}

export interface SignedRequest {
  /** Reads the exact bytes of the body (called once the caller is within its rate limit). */
  readonly readBody: () => Promise<Buffer>;
  /** A request header by (case-insensitive) name, undefined when absent. */
  readonly header: (name: string) => string | undefined;
  readonly peer: string | undefined;
}

export function sendersFromConfig(senders: ReadonlyArray<{ id: string; public_keys: ReadonlyArray<{ key_identifier: string; key: string }> }>): PublicSender[] {
  return senders.map((s) => ({ id: s.id, publicKeys: new Map(s.public_keys.map((k) => [k.key_identifier, createPublicKey(k.key)])) }));
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const unsigned = (why: string) => requestUnauthorized(`The report must be signed by a configured sender: ${why}.`);

/** Which sender signed `body`; throws 401 otherwise. */
function authenticate(request: SignedRequest, body: Buffer, senders: readonly PublicSender[]): string {
  const present = senders.filter((s) => request.header(`${s.id}-public-key-signature`) !== undefined);
  if (present.length === 0) throw unsigned('no signature header of a configured sender');
  if (present.length > 1) throw unsigned('signatures of more than one sender');
  const sender = present[0] as PublicSender;
  const keyId = request.header(`${sender.id}-public-key-identifier`) ?? '';
  const key = sender.publicKeys.get(keyId);
  if (!key) throw unsigned(`unknown key identifier for ${sender.id}`);
  const signature = (request.header(`${sender.id}-public-key-signature`) ?? '').trim();
  if (!BASE64.test(signature) || !verify('sha256', body, { key, dsaEncoding: 'der' }, Buffer.from(signature, 'base64'))) {
    throw unsigned('the signature does not verify');
  }
  return sender.id;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** After the signature: strict UTF-8, JSON, clean text (no NUL, no lone surrogate; lib/text.ts), then the contract. */
function parseBody(body: Buffer): PublicLeakReport {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(body));
  } catch {
    throw invalidRequest('The request body is not valid UTF-8 JSON.');
  }
  assertCleanJson(value);
  const parsed = PublicLeakReport.safeParse(value);
  if (!parsed.success) throw invalidRequest('The body must be an array of 1 to 1000 objects {token, type, url, source} (strings).');
  return parsed.data;
}

/** `POST /oauth2/tokens/leaked`: `true_positive` for any token of ours (revoked now or before), `false_positive` otherwise. */
export async function publicReport(request: SignedRequest, deps: PublicLeakDeps): Promise<HandlerResult> {
  deps.limiter.take(request.peer);
  const body = await request.readBody();
  const sender = authenticate(request, body, deps.senders);
  const items = parseBody(body);
  const reports = await processLeaks(items, { channel: 'public', sender }, deps);
  const answer: PublicLeakAnswer = reports.map((r, i) => ({
    token_hash: r.tokenHash,
    token_type: items[i]?.type ?? '',
    label: r.outcome === 'not_ours' ? 'false_positive' : 'true_positive',
  }));
  return json(answer);
}
