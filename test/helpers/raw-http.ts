import { request as httpRequest } from 'node:http';

/** An answer read without interpretation: what a hostile-input test needs to see. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** The JSON body, or undefined when the answer is not JSON. */
  readonly json: Record<string, unknown> | undefined;
}

/**
 * Sends exactly the headers and bytes given, with node:http: no
 * Content-Type is added (fetch adds text/plain to a string body), the body
 * may be any bytes, `chunked: true` sends it without a Content-Length, and
 * `localAddress` picks the caller's address (any of 127.0.0.0/8 on Linux).
 */
export function rawRequest(
  base: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean; localAddress?: string } = {},
): Promise<RawAnswer> {
  const url = new URL(path, base);
  const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body, 'utf8');
  const headers: Record<string, string> = { ...options.headers };
  if (body !== undefined && !options.chunked) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const target = { host: url.hostname, port: url.port, method, path: `${url.pathname}${url.search}`, headers, localAddress: options.localAddress };
    const req = httpRequest(target, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> | undefined;
        if ((res.headers['content-type'] ?? '').includes('json') && text) json = JSON.parse(text) as Record<string, unknown>;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
