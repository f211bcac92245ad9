import { setTimeout as sleep } from 'node:timers/promises';
import { EXIT, UsageError } from './errors.js';
import { listOf } from './client-credentials.js';
import type { PerformArgs } from './perform.js';

/*
 * `tessera perform device-code`: the device side of RFC 8628 in a terminal,
 * as `hydra perform device-code` does. It asks for a device code, prints
 * where to enter the user code, polls the token endpoint (honouring
 * `interval`, `authorization_pending` and `slow_down`), and prints the token
 * response as JSON on stdout; everything else goes to stderr.
 */

export interface PerformDeviceCodeArgs {
  /** The public URL (Hydra's `--endpoint`); default http://127.0.0.1:4444. */
  readonly endpoint?: string | undefined;
  readonly clientId?: string | undefined;
  readonly clientSecret?: string | undefined;
  /** Space- or comma-separated; Hydra's default `offline openid`. */
  readonly scope?: string | undefined;
  readonly audience?: readonly string[] | undefined;
}

interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

interface DeviceAnswer {
  readonly device_code: string;
  readonly user_code: string;
  readonly verification_uri: string;
  readonly verification_uri_complete?: string;
  readonly expires_in: number;
  readonly interval?: number;
}

type Answer = { readonly status: number; readonly body: Record<string, unknown> };

async function post(url: string, form: Record<string, string>, authorization: string | undefined): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (authorization) headers['authorization'] = authorization;
  const res = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(form).toString() });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { error: `HTTP ${res.status}`, error_description: text.slice(0, 200) };
  }
  return { status: res.status, body };
}

const describe = (a: Answer) => `${String(a.body['error'] ?? `HTTP ${a.status}`)}${a.body['error_description'] ? `: ${String(a.body['error_description'])}` : ''}`;

/** RFC 6749 §2.3.1: form-urlencode each part, then Basic. */
function basic(id: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

export async function performDeviceCode(args: PerformDeviceCodeArgs, io: Io): Promise<number> {
  const clientId = args.clientId ?? io.env['OAUTH2_CLIENT_ID'];
  if (!clientId) throw new UsageError('perform device-code needs --client-id (or OAUTH2_CLIENT_ID)');
  const secret = args.clientSecret ?? io.env['OAUTH2_CLIENT_SECRET'];
  const base = (args.endpoint ?? 'http://127.0.0.1:4444').replace(/\/+$/, '');
  const auth = secret ? basic(clientId, secret) : undefined;
  const id: Record<string, string> = secret ? {} : { client_id: clientId };
  const scope = (args.scope ?? 'offline openid').split(/[\s,]+/).filter(Boolean).join(' ');
  const audience = (args.audience ?? []).join(' ');

  const started = await post(`${base}/oauth2/device/auth`, { ...id, scope, ...(audience ? { audience } : {}) }, auth);
  if (started.status !== 200) {
    io.err(`device authorization failed: ${describe(started)}`);
    return EXIT.failure;
  }
  const device = started.body as unknown as DeviceAnswer;
  io.err(`To sign in, open ${device.verification_uri_complete ?? device.verification_uri}`);
  io.err(`or go to ${device.verification_uri} and enter the code: ${device.user_code}`);
  io.err(`The code expires in ${device.expires_in} seconds.`);

  // RFC 8628 §3.5: 5 s when the server names no interval; +5 s on every slow_down.
  let interval = device.interval ?? 5;
  const deadline = Date.now() + device.expires_in * 1000;
  while (Date.now() < deadline) {
    await sleep(interval * 1000);
    const polled = await post(`${base}/oauth2/token`, { ...id, grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: device.device_code }, auth);
    if (polled.status === 200) {
      io.err('Signed in.');
      io.out(JSON.stringify(polled.body, null, 2));
      return EXIT.ok;
    }
    const error = polled.body['error'];
    if (error === 'authorization_pending') continue;
    if (error === 'slow_down') {
      interval += 5;
      continue;
    }
    io.err(`sign-in failed: ${describe(polled)}`);
    return EXIT.failure;
  }
  io.err('sign-in failed: the device code expired before the user approved');
  return EXIT.failure;
}

/** As a row of perform's table (cli/perform.ts): the flags as parsed, progress on stderr, OAUTH2_CLIENT_* from the environment. */
export function performDeviceCodeFlow(args: PerformArgs, out: (line: string) => void): Promise<number> {
  const text = (flag: string) => {
    const value = args.values[flag];
    return typeof value === 'string' ? value : undefined;
  };
  const audience = listOf(args.values, 'audience');
  return performDeviceCode(
    { endpoint: args.endpoint, clientId: text('client-id'), clientSecret: text('client-secret'), scope: text('scope'), audience: audience.length > 0 ? audience : undefined },
    { out, err: (line) => process.stderr.write(`${line}\n`), env: process.env },
  );
}
