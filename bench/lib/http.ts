import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';

/*
 * A small HTTP/1.1 client over node:http with keep-alive: cheaper than
 * fetch for the load processes, and it never follows redirects, so each hop
 * of a flow is seen. Every request has a timeout. Loopback only.
 */

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface RequestOptions {
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly timeoutMs?: number;
}

export interface HttpClient {
  request(method: string, url: string, options?: RequestOptions): Promise<HttpResponse>;
  close(): void;
}

export function assertLoopback(url: URL): void {
  if (url.hostname !== '127.0.0.1') throw new Error(`benchmark traffic goes to 127.0.0.1 only, not ${url.host}`);
}

export function createHttpClient(maxSockets = 64): HttpClient {
  const agent = new Agent({ keepAlive: true, maxSockets });
  return {
    request(method, url, options = {}) {
      const target = new URL(url);
      assertLoopback(target);
      const headers: Record<string, string> = { ...options.headers };
      if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
      return new Promise<HttpResponse>((resolve, reject) => {
        const req = httpRequest(target, { method, headers, agent }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
          res.on('error', reject);
        });
        req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error(`${method} ${target.pathname}: timed out`)));
        req.on('error', reject);
        req.end(options.body);
      });
    },
    close: () => agent.destroy(),
  };
}

export function basicAuth(id: string, secret: string): string {
  // RFC 6749 §2.3.1: each part form-encoded before base64.
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

export const FORM = 'application/x-www-form-urlencoded';

export function parseJson(res: HttpResponse, what: string): Record<string, unknown> {
  if (res.status < 200 || res.status >= 300) throw new Error(`${what}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
  const value: unknown = JSON.parse(res.body);
  if (typeof value !== 'object' || value === null) throw new Error(`${what}: not a JSON object`);
  return value as Record<string, unknown>;
}

export function stringField(obj: Record<string, unknown>, key: string, what: string): string {
  const value = obj[key];
  if (typeof value !== 'string') throw new Error(`${what}: no "${key}" in the answer`);
  return value;
}
