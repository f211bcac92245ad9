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

/** POSTs a form body; resolves with the status, rejects with OutboundRefused or the network error. */
export async function postForm(uri: string, body: string, deps: OutboundDeps, timeoutMs: number): Promise<number> {
  if (!URL.canParse(uri)) throw new OutboundRefused('not an absolute URL');
  const url = new URL(uri);
  const addresses = await checkedAddresses(url, deps);
  const options: RequestOptions = {
    method: 'POST',
    host: bareHost(url),
    port: destinationOf(url).port,
    path: `${url.pathname}${url.search}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
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

/**
 * GETs a small document (a sector_identifier_uri's JSON, OIDC Registration
 * §5): the same address checks and pinning as postForm, a deadline for the
 * whole exchange, and at most `maxBytes` read (larger answers are refused,
 * not truncated). Resolves with the status and the body; rejects with
 * OutboundRefused or the network error.
 */
export async function getCapped(uri: string, deps: OutboundDeps, limits: { timeoutMs: number; maxBytes: number }): Promise<{ status: number; body: Buffer }> {
  if (!URL.canParse(uri)) throw new OutboundRefused('not an absolute URL');
  const url = new URL(uri);
  const addresses = await checkedAddresses(url, deps);
  const options: RequestOptions = {
    method: 'GET',
    host: bareHost(url),
    port: destinationOf(url).port,
    path: `${url.pathname}${url.search}`,
    headers: { accept: 'application/json' },
    lookup: pinned(addresses),
    signal: AbortSignal.timeout(limits.timeoutMs),
  };
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limits.maxBytes) {
          req.destroy();
          reject(new OutboundRefused(`the answer is larger than ${limits.maxBytes} bytes`));
        } else chunks.push(chunk);
      });
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}
