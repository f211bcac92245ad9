import { request } from './http.js';

export interface CreatedClient {
  readonly client_id: string;
  readonly client_secret: string;
  readonly [field: string]: unknown;
}

/** Registers a client through the admin API; throws on anything but 201. */
export async function createClient(adminUrl: string, body: Record<string, unknown>): Promise<CreatedClient> {
  const res = await request<CreatedClient>(adminUrl, 'POST', '/admin/clients', { json: body });
  if (res.status !== 201) throw new Error(`client creation failed: ${res.status} ${res.text}`);
  return res.body;
}

export function basic(id: string, secret: string): string {
  // RFC 6749 §2.3.1: form-urlencode each part, then Basic.
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

export function form(params: Record<string, string>): { body: string; headers: Record<string, string> } {
  return { body: new URLSearchParams(params).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}
