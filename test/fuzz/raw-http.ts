import { connect } from 'node:net';

/*
 * A bare HTTP/1.1 client over a socket. `fetch` refuses what the fuzzer must
 * send (NUL and non-Latin-1 bytes in headers, raw invalid UTF-8 in the request
 * line, duplicated headers, odd methods), so requests are written byte for
 * byte. One request per connection (`Connection: close`), so the answer is
 * everything the server sends until it closes.
 */

export interface RawRequest {
  readonly method: string;
  /** Path and query, already encoded: the bytes of the request line. */
  readonly target: Buffer;
  /** In order, duplicates allowed; values are bytes. */
  readonly headers: readonly (readonly [string, Buffer])[];
  readonly body?: Buffer | undefined;
  /** Send the body with `Transfer-Encoding: chunked` instead of `Content-Length`. */
  readonly chunked?: boolean | undefined;
}

export interface RawAnswer {
  readonly status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export class NoAnswer extends Error {}

function serialise(host: string, req: RawRequest): Buffer {
  // A Host of the fuzzer's own replaces the right one.
  const ownHost = req.headers.some(([name]) => name.toLowerCase() === 'host');
  const lines: Buffer[] = [Buffer.from(`${req.method} `, 'latin1'), req.target, Buffer.from(` HTTP/1.1\r\n${ownHost ? '' : `Host: ${host}\r\n`}Connection: close\r\n`, 'latin1')];
  for (const [name, value] of req.headers) lines.push(Buffer.from(`${name}: `, 'latin1'), value, Buffer.from('\r\n'));
  const body = req.body;
  if (body && req.chunked) {
    lines.push(Buffer.from('Transfer-Encoding: chunked\r\n\r\n'));
    if (body.length > 0) lines.push(Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n'));
    lines.push(Buffer.from('0\r\n\r\n'));
  } else if (body) {
    lines.push(Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body);
  } else {
    lines.push(Buffer.from('\r\n'));
  }
  return Buffer.concat(lines);
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function parse(data: Buffer, method: string): RawAnswer {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) throw new NoAnswer(`an incomplete answer (${data.length} bytes)`);
  const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!status) throw new NoAnswer(`not an HTTP answer: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  let body = data.subarray(end + 4);
  if (method === 'HEAD') body = Buffer.alloc(0);
  else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  return { status, headers, body: body.toString('utf8') };
}

/** Sends `req` to `base` (`http://127.0.0.1:port`) and reads the answer; NoAnswer when the server closes without one or is silent for `timeoutMs`. */
export function send(base: string, req: RawRequest, timeoutMs = 15_000): Promise<RawAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new NoAnswer(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The server may close while we still write a body it refused; what it answered counts.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(parse(Buffer.concat(chunks), req.method));
      } catch (err) {
        reject(err);
      }
    });
    // write, not end: node's server aborts a request whose client half-closes (httpAllowHalfOpen is off) before a slow handler answers.
    socket.on('connect', () => socket.write(serialise(url.host, req)));
  });
}
