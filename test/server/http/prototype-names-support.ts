import { expect } from 'chai';
import type { Running } from '../../helpers/tessera.js';
import { request, type Answer } from '../../helpers/http.js';
import { form } from '../../helpers/clients.js';

/*
 * What prototype-names.test.ts sends and what it accepts back: every name an
 * object literal inherits (issue 12, class 2), and the two answers allowed,
 * an RFC 6749-style JSON error or a redirect carrying one. Never a 5xx, never
 * a success that echoes the input.
 */

/** Object.prototype's own names, plus the three the issue names (`__proto__` is among them already). */
export const NAMES: readonly string[] = [...new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__', 'prototype', 'constructor'])];

export type Json = { error?: string; error_description?: string; [field: string]: unknown };

/** A JSON error with this status and code, and nothing of the server's insides in it. */
export function expectError(res: Answer<Json>, status: number, error: string, what: string): void {
  expect(res.status, `${what}: ${res.text}`).to.equal(status);
  expect(res.headers.get('content-type') ?? '', what).to.include('application/json');
  expect(res.body.error, `${what}: ${res.text}`).to.equal(error);
  expect(res.body.error_description, what).to.be.a('string');
  expect(res.text, what).not.to.match(/\bat .*\.(ts|js):\d+/);
}

/** A redirect to `to` carrying `error` (RFC 6749 §4.1.2.1): what the authorization endpoint does once the client is trusted. */
export function expectRedirectedError(res: Answer<unknown>, to: string, error: string, what: string): URL {
  expect(res.status, `${what}: ${res.text}`).to.equal(302);
  const location = new URL(res.headers.get('location') ?? '');
  expect(`${location.origin}${location.pathname}`, what).to.equal(to);
  expect(location.searchParams.get('error'), `${what}: ${location.href}`).to.equal(error);
  return location;
}

export function postForm(base: string, path: string, params: Record<string, string>, authorization?: string): Promise<Answer<Json>> {
  const f = form(params);
  return request<Json>(base, 'POST', path, { body: f.body, headers: { ...f.headers, ...(authorization ? { authorization } : {}) } });
}

export function get(base: string, path: string, params: Record<string, string> = {}): Promise<Answer<Json>> {
  const query = new URLSearchParams(params).toString();
  return request<Json>(base, 'GET', query ? `${path}?${query}` : path);
}

/** `/oauth2/auth` with `params`, no cookies (each request is a new browser). */
export function authorize(t: Running, params: Record<string, string>): Promise<Answer<Json>> {
  return get(t.publicUrl, '/oauth2/auth', params);
}

/** A JWT's payload, unverified (the suite checks what is in it, not who signed it). */
export function jwtPayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Every `Object.prototype` member is still the built-in one and none was added: nothing was polluted. */
export function expectPristinePrototype(snapshot: ReadonlyMap<string, unknown>): void {
  const now = Object.getOwnPropertyNames(Object.prototype);
  expect(now.sort()).to.deep.equal([...snapshot.keys()].sort());
  for (const name of now) expect(Object.getOwnPropertyDescriptor(Object.prototype, name)?.value, name).to.equal(snapshot.get(name));
}

export function prototypeSnapshot(): Map<string, unknown> {
  return new Map(Object.getOwnPropertyNames(Object.prototype).map((n) => [n, Object.getOwnPropertyDescriptor(Object.prototype, n)?.value]));
}
