/**
 * Every error that leaves the server. Codes come from RFC 6749 §4.1.2.1/§5.2,
 * RFC 6750 §3.1, RFC 7591 §3.2.2, OpenID Connect Core §3.1.2.6, and the two
 * admin-API codes Hydra uses (`not_found`, `conflict`).
 */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'unsupported_response_mode'
  | 'invalid_scope'
  | 'invalid_target'
  | 'access_denied'
  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_client_metadata'
  | 'invalid_redirect_uri'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'request_forbidden'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  | 'invalid_request_uri'
  | 'request_unauthorized'
  | 'not_found'
  | 'conflict'
  | 'method_not_allowed'
  | 'request_entity_too_large'
  | 'unsupported_media_type'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'too_many_requests';

interface Fields {
  readonly error: ErrorCode;
  readonly status: number;
  readonly description: string;
  readonly hint?: string | undefined;
  readonly debug?: string | undefined;
  readonly cause?: unknown;
  /** Headers the answer must carry (`Retry-After` on a 429). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** Immutable, fosite-style: `withHint`/`withDebug`/`withCause` return copies. */
export class OAuth2Error extends Error {
  readonly error: ErrorCode;
  readonly status: number;
  readonly description: string;
  readonly hint: string | undefined;
  readonly debug: string | undefined;
  readonly headers: Readonly<Record<string, string>> | undefined;
  /** koa convention: only errors below 500 show their text to the caller. */
  readonly expose: boolean;

  constructor(fields: Fields) {
    super(fields.description, { cause: fields.cause });
    this.name = 'OAuth2Error';
    this.error = fields.error;
    this.status = fields.status;
    this.description = fields.description;
    this.hint = fields.hint;
    this.debug = fields.debug;
    this.headers = fields.headers;
    this.expose = fields.status < 500;
  }

  withHint(hint: string): OAuth2Error {
    return new OAuth2Error({ ...this.fields(), hint });
  }

  withDebug(debug: string): OAuth2Error {
    return new OAuth2Error({ ...this.fields(), debug });
  }

  withCause(cause: unknown): OAuth2Error {
    return new OAuth2Error({ ...this.fields(), cause });
  }

  private fields(): Fields {
    return {
      error: this.error,
      status: this.status,
      description: this.description,
      hint: this.hint,
      debug: this.debug,
      cause: this.cause,
      headers: this.headers,
    };
  }
}

export function isOAuth2Error(value: unknown): value is OAuth2Error {
  return value instanceof OAuth2Error;
}
