/**
 * Codes the SDK itself produces, next to the server's own (`not_found`,
 * `conflict`, `invalid_request`, `invalid_client_metadata`, …):
 * - `network_error`: the request never got an HTTP answer (refused, reset, DNS);
 * - `timeout`: no complete answer within `timeoutMs`;
 * - `invalid_response`: an answer that is not what the contract says (wrong
 *   JSON shape, not JSON, a missing header), or an error answer without the
 *   `{error, error_description}` body;
 * - `gone`: 410, the login or consent request was already handled (its
 *   verifier was used) or has expired; `redirectTo` says where to restart.
 */
export type TesseraErrorCode =
  | 'network_error'
  | 'timeout'
  | 'invalid_response'
  | 'gone'
  | 'not_found'
  | 'conflict'
  | 'invalid_request'
  // Any other code the server sends; `string & {}` keeps editor completion for the names above.
  | (string & {});

export interface TesseraErrorInit {
  readonly status: number;
  readonly error: TesseraErrorCode;
  readonly error_description?: string | undefined;
  readonly requestId?: string | undefined;
  readonly redirectTo?: string | undefined;
  readonly cause?: unknown;
}

/**
 * The one error every `TesseraAdmin` method and flow helper throws.
 *
 * `status` is the HTTP status, or 0 when there was no HTTP answer
 * (`network_error`, `timeout`). `requestId` is the `X-Request-Id` the server
 * answered with: quote it when reading the server's logs.
 *
 * @example
 * ```ts
 * try {
 *   await admin.getClient(id);
 * } catch (err) {
 *   if (err instanceof TesseraError && err.status === 404) return undefined;
 *   throw err;
 * }
 * ```
 */
export class TesseraError extends Error {
  readonly status: number;
  readonly error: TesseraErrorCode;
  readonly error_description: string | undefined;
  readonly requestId: string | undefined;
  /** Set on 410 answers: the authorization URL to send the browser to, which starts the flow again. */
  readonly redirectTo: string | undefined;

  constructor(init: TesseraErrorInit) {
    const where = init.status === 0 ? '' : `HTTP ${init.status} `;
    super(`${where}${init.error}${init.error_description ? `: ${init.error_description}` : ''}`, init.cause === undefined ? {} : { cause: init.cause });
    this.name = 'TesseraError';
    this.status = init.status;
    this.error = init.error;
    this.error_description = init.error_description;
    this.requestId = init.requestId;
    this.redirectTo = init.redirectTo;
  }
}
