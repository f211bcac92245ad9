import { promises as dns, type LookupAddress } from 'node:dns';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { bareHost, destinationOf, refuseAddress, refuseUrl, type OutboundPolicy } from './outbound-policy.js';

/*
 * A POST to a URL from input, made so that the address checked is the
 * address connected to: resolve the host once, judge every address it
 * resolves to (outbound-policy.ts), then hand exactly those addresses to the
 * socket through `lookup`, so no second resolution can swap in another
 * (DNS rebinding). Redirects are not followed: a 3xx is an answer like any
 * other, and its Location is never fetched.
 */

/** Resolves a host name to all its addresses (the system resolver by default; tests inject their own). */
export type Resolve = (hostname: string) => Promise<readonly LookupAddress[]>;

export const systemResolve: Resolve = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/** The policy said no: not a network failure, so not worth retrying. */
export class OutboundRefused extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'OutboundRefused';
  }
}

export interface OutboundDeps {
  readonly policy: OutboundPolicy;
  readonly resolve?: Resolve | undefined;
}

export async function checkedAddresses(url: URL, deps: OutboundDeps): Promise<readonly LookupAddress[]> {
  const refused = refuseUrl(url, deps.policy);
  if (refused) throw new OutboundRefused(refused);
  const host = bareHost(url);
  const family = isIP(host);
  const addresses = family !== 0 ? [{ address: host, family }] : await (deps.resolve ?? systemResolve)(host);
  if (addresses.length === 0) throw new OutboundRefused(`${host} has no address`);
  const destination = destinationOf(url);
  for (const { address } of addresses) {
    // Any bad address refuses the name: the socket may try them all.
    const reason = refuseAddress(address, destination, deps.policy);
    if (reason) throw new OutboundRefused(`${host} resolves to ${address}: ${reason}`);
  }
  return addresses;
}

/** A `lookup` that answers with the addresses already checked (never none), never asking a resolver again. */
export function pinned(addresses: readonly LookupAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    // net asks for all of them when it races IPv4 and IPv6 (autoSelectFamily), else for one.
    if (options.all) callback(null, [...addresses]);
    else callback(null, addresses[0]?.address ?? '', addresses[0]?.family);
  };
}

/**
 * POSTs `body` under the outbound rules: every address the host resolves to
 * checked, the socket pinned to them (no second lookup an attacker could
 * answer differently), no redirects followed, a deadline. Resolves with the
 * status; rejects with OutboundRefused or the network error.
 */
export async function postBody(uri: string, body: string, headers: Readonly<Record<string, string>>, deps: OutboundDeps, timeoutMs: number): Promise<number> {
  if (!URL.canParse(uri)) throw new OutboundRefused('not an absolute URL');
  const url = new URL(uri);
  const addresses = await checkedAddresses(url, deps);
  const options: RequestOptions = {
    method: 'POST',
    host: bareHost(url),
    port: destinationOf(url).port,
    path: `${url.pathname}${url.search}`,
    headers: { ...headers, 'content-length': Buffer.byteLength(body) },
    lookup: pinned(addresses),
    signal: AbortSignal.timeout(timeoutMs),
  };
  return new Promise<number>((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(options, (res) => {
      res.on('error', reject);
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.resume();
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A form POST (a back-channel logout token) under postBody's rules. */
export function postForm(uri: string, body: string, deps: OutboundDeps, timeoutMs: number): Promise<number> {
  return postBody(uri, body, { 'content-type': 'application/x-www-form-urlencoded' }, deps, timeoutMs);
}

/** A JSON POST with extra headers (a signature) under postBody's rules. */
export function postJson(uri: string, body: string, headers: Readonly<Record<string, string>>, deps: OutboundDeps, timeoutMs: number): Promise<number> {
  return postBody(uri, body, { ...headers, 'content-type': 'application/json' }, deps, timeoutMs);
}

/** A fetched document too large to take (`getJson`'s `maxBytes`). */
export class OutboundTooLarge extends Error {
  constructor(limit: number) {
    super(`the answer is larger than ${limit} bytes`);
    this.name = 'OutboundTooLarge';
  }
}

/**
 * GETs a JSON document (a client's `jwks_uri`) under the same rules as
 * `postForm`: checked addresses, pinned, no redirects, a time limit; and the
 * answer capped at `maxBytes`. Rejects on a status other than 200 or a body
 * that is not JSON.
 */
export async function getJson(uri: string, deps: OutboundDeps, limits: { readonly timeoutMs: number; readonly maxBytes: number }): Promise<unknown> {
  if (!URL.canParse(uri)) throw new OutboundRefused('not an absolute URL');
  const url = new URL(uri);
  const addresses = await checkedAddresses(url, deps);
  const options: RequestOptions = {
    method: 'GET',
    host: bareHost(url),
    port: destinationOf(url).port,
    path: `${url.pathname}${url.search}`,
    headers: { accept: 'application/json, application/jwk-set+json' },
    lookup: pinned(addresses),
    signal: AbortSignal.timeout(limits.timeoutMs),
  };
  const body = await new Promise<Buffer>((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(options, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`the answer is HTTP ${res.statusCode ?? 0}, not 200`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limits.maxBytes) {
          req.destroy();
          reject(new OutboundTooLarge(limits.maxBytes));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', reject);
      res.on('end', () => resolve(Buffer.concat(chunks, size)));
    });
    req.on('error', reject);
    req.end();
  });
  return JSON.parse(body.toString('utf8')) as unknown;
}
