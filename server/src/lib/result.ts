/**
 * What a handler returns: the intent, not the HTTP plumbing. Only
 * http/respond.ts turns it into a response (fosite's responder/writer split).
 */
export type HandlerResult =
  | { readonly kind: 'json'; readonly status?: number; readonly body: unknown; readonly headers?: Readonly<Record<string, string>> }
  | { readonly kind: 'empty'; readonly status?: number; readonly headers?: Readonly<Record<string, string>> }
  | { readonly kind: 'redirect'; readonly location: string; readonly status?: 302 | 303; readonly cookies?: readonly Cookie[] }
  | {
      readonly kind: 'html';
      readonly status?: number;
      readonly body: string;
      readonly cookies?: readonly Cookie[];
      /** Replaces the default policy (no scripts at all) for a page that runs its own script. */
      readonly csp?: string;
    };

/**
 * A cookie to set (or clear, with `maxAgeSeconds: 0`). Always HttpOnly,
 * SameSite=Lax, Path=/; Secure when the issuer is https.
 */
export interface Cookie {
  readonly name: string;
  readonly value: string;
  /** Omitted: a browser-session cookie. */
  readonly maxAgeSeconds?: number | undefined;
}

export const json = (body: unknown, status = 200, headers?: Record<string, string>): HandlerResult =>
  headers ? { kind: 'json', status, body, headers } : { kind: 'json', status, body };

export const empty = (status = 204): HandlerResult => ({ kind: 'empty', status });

export const redirect = (location: string, cookies?: readonly Cookie[]): HandlerResult =>
  cookies && cookies.length > 0 ? { kind: 'redirect', location, cookies } : { kind: 'redirect', location };
