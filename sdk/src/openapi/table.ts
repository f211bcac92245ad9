import type { z } from 'zod';

/*
 * The route table the OpenAPI document is generated from: each operation
 * names the contract schemas of its parameters, body and answers. The schemas
 * are the ones the server validates with; only the HTTP facts (path, method,
 * statuses, headers) are written here.
 */

export type Api = 'admin' | 'public';
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface HeaderSpec {
  readonly description: string;
  readonly type: 'string' | 'integer';
}

export interface ResponseSpec {
  readonly description: string;
  /** The JSON body; none means an empty body (or the HTML of `html`). */
  readonly json?: z.ZodType | undefined;
  /** A page for the browser (`text/html`). */
  readonly html?: true | undefined;
  /** Plain text of this media type (the Prometheus exposition: `text/plain; version=0.0.4`); with `json`, the alternative a client may ask for in Accept (RFC 9701's JWT introspection). */
  readonly text?: string | undefined;
  readonly headers?: Readonly<Record<string, HeaderSpec>> | undefined;
}

export interface BodySpec {
  readonly schema: z.ZodType;
  /** `application/x-www-form-urlencoded` instead of JSON. */
  readonly form?: true | undefined;
  /** Default true. */
  readonly required?: boolean | undefined;
}

export type ErrorStatus = 400 | 401 | 403 | 404 | 409;

export interface Operation {
  /** Which port serves it: the admin API, the public API, or both (health, version, this document). */
  readonly apis: readonly Api[];
  readonly method: HttpMethod;
  /** OpenAPI path template: `/admin/clients/{id}`. */
  readonly path: string;
  /** Hydra's operation name where Hydra has the operation, so generated clients keep `@ory/hydra-client`'s method names. */
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string | undefined;
  /** Description of each `{name}` in the path. */
  readonly pathParams?: Readonly<Record<string, string>> | undefined;
  /** A z.object whose properties are the query parameters. */
  readonly query?: z.ZodObject | undefined;
  readonly body?: BodySpec | undefined;
  /** Names from `securitySchemes`; `optional` adds "no credentials" (public clients). */
  readonly security?: { readonly schemes: readonly string[]; readonly optional?: true } | undefined;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /** Statuses answered with the error object (ErrorResponse). Any other error is the `default` answer, with the same shape. */
  readonly errors?: readonly ErrorStatus[] | undefined;
}

/** Named schemas: `components.schemas` entries, referenced wherever the schema appears. */
export interface Component {
  readonly name: string;
  readonly schema: z.ZodType;
  readonly description: string;
}

export const ERROR_DESCRIPTIONS: Readonly<Record<ErrorStatus, string>> = {
  400: 'The request is malformed or not allowed: `error` is the RFC 6749 code (`invalid_request`, …), `error_description` names the field.',
  401: 'Client authentication failed (`invalid_client`), or no valid token was sent (`invalid_token`).',
  403: 'The token lacks a needed scope (`insufficient_scope`).',
  404: 'There is no such resource (`not_found`).',
  409: 'The resource exists already (`conflict`).',
};

export const pageHeaders: Readonly<Record<string, HeaderSpec>> = {
  Link: { type: 'string', description: 'RFC 8288 links `rel="first"` and, unless this is the last page, `rel="next"` (its `page_token` is the next page\'s).' },
  'X-Total-Count': { type: 'integer', description: 'How many items match, over all pages.' },
};

export const locationHeader: Readonly<Record<string, HeaderSpec>> = {
  Location: { type: 'string', description: 'Where the browser goes next.' },
};
