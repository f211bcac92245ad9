import { ErrorResponse, OAuth2LogoutRequest, OAuth2RedirectTo, TesseraError } from '@tessera/sdk';

/*
 * TODO(sdk): @tessera/sdk is getting getLogoutRequest / acceptLogoutRequest /
 * rejectLogoutRequest on TesseraAdmin. When they land, delete this file and
 * pass the TesseraAdmin itself where a LogoutAdmin is wanted (the method
 * names and types below are chosen to match).
 *
 * Until then: the three Hydra v2 admin calls, answers checked against the
 * SDK's contract schemas, every failure a TesseraError as the SDK throws them
 * (410 with `redirectTo`, the server's `{error, error_description}`, or
 * `network_error` / `timeout` / `invalid_response`).
 */

export interface LogoutAdmin {
  /** `GET /admin/oauth2/auth/requests/logout?logout_challenge=`. */
  getLogoutRequest(challenge: string): Promise<OAuth2LogoutRequest>;
  /** `PUT …/logout/accept`: send the browser to `redirect_to` to finish signing out. */
  acceptLogoutRequest(challenge: string): Promise<OAuth2RedirectTo>;
  /** `PUT …/logout/reject` (204): the user stays signed in. */
  rejectLogoutRequest(challenge: string): Promise<void>;
}

export interface LogoutAdminOptions {
  readonly baseUrl: string;
  readonly timeoutMs?: number;
  readonly fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

const PATH = '/admin/oauth2/auth/requests/logout';

export function createLogoutAdmin(options: LogoutAdminOptions): LogoutAdmin {
  const base = options.baseUrl.replace(/\/+$/, '');
  const fetchFn = options.fetch ?? ((url: string, init: RequestInit) => fetch(url, init));
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function call(method: 'GET' | 'PUT', suffix: string, challenge: string): Promise<{ status: number; body: unknown; requestId: string | undefined }> {
    const url = `${base}${PATH}${suffix}?${new URLSearchParams({ logout_challenge: challenge }).toString()}`;
    let res: Response;
    let text: string;
    try {
      res = await fetchFn(url, { method, headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
      text = await res.text();
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      throw new TesseraError({ status: 0, error: timedOut ? 'timeout' : 'network_error', error_description: `${method} ${url} failed`, cause: err });
    }
    const requestId = res.headers.get('x-request-id') ?? undefined;
    const body = parse(text);
    if (!res.ok) throw failure(res.status, body, requestId);
    return { status: res.status, body, requestId };
  }

  function checked<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, reply: { status: number; body: unknown; requestId: string | undefined }, what: string): T {
    const parsed = schema.safeParse(reply.body);
    if (parsed.success) return parsed.data;
    throw new TesseraError({ status: reply.status, error: 'invalid_response', error_description: `The ${what} does not match the contract.`, requestId: reply.requestId });
  }

  return {
    async getLogoutRequest(challenge) {
      return checked(OAuth2LogoutRequest, await call('GET', '', challenge), 'logout request');
    },
    async acceptLogoutRequest(challenge) {
      return checked(OAuth2RedirectTo, await call('PUT', '/accept', challenge), 'redirect');
    },
    async rejectLogoutRequest(challenge) {
      await call('PUT', '/reject', challenge);
    },
  };
}

function parse(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** As the SDK: 410 carries `{redirect_to}` (the challenge was used or expired), other errors `{error, error_description}`. */
function failure(status: number, body: unknown, requestId: string | undefined): TesseraError {
  const gone = status === 410 ? OAuth2RedirectTo.safeParse(body) : undefined;
  if (gone?.success) {
    return new TesseraError({ status, error: 'gone', error_description: 'The logout request was already handled or has expired.', requestId, redirectTo: gone.data.redirect_to });
  }
  const error = ErrorResponse.safeParse(body);
  if (error.success) return new TesseraError({ status, ...error.data, requestId });
  return new TesseraError({ status, error: 'invalid_response', error_description: `HTTP ${status} without an error object.`, requestId });
}
