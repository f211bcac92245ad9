import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { bareHost, destinationOf } from './outbound-policy.js';
import { checkedAddresses, OutboundRefused, pinned, type OutboundDeps } from './outbound-request.js';

/**
 * POSTs a JSON body with extra headers (a signature) under postForm's rules
 * (outbound-request.ts): every address the host resolves to checked, the
 * socket pinned to them, no redirects followed, a deadline. Resolves with
 * the status; rejects with OutboundRefused or the network error.
 */
export async function postJson(uri: string, body: string, headers: Readonly<Record<string, string>>, deps: OutboundDeps, timeoutMs: number): Promise<number> {
  if (!URL.canParse(uri)) throw new OutboundRefused('not an absolute URL');
  const url = new URL(uri);
  const addresses = await checkedAddresses(url, deps);
  const options: RequestOptions = {
    method: 'POST',
    host: bareHost(url),
    port: destinationOf(url).port,
    path: `${url.pathname}${url.search}`,
    headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
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
