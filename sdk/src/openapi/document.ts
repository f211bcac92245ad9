import type { z } from 'zod';
import { ErrorResponse } from '../contract/errors.js';
import { adminOperations } from './admin-routes.js';
import { publicOperations, sharedOperations } from './public-routes.js';
import { convert, referencedComponents, type Converted, type JsonSchema } from './schemas.js';
import { ERROR_DESCRIPTIONS, type Api, type HttpMethod, type Operation, type ResponseSpec } from './table.js';

/** The SDK's version, which is the contract's: `info.version` of the document (a test keeps it equal to package.json's). */
export const CONTRACT_VERSION = '0.1.0';

export interface OpenApiServer {
  readonly url: string;
  readonly description: string;
}

export type OpenApiPathItem = { servers?: OpenApiServer[] } & Partial<Record<HttpMethod, JsonSchema>>;

export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { title: string; version: string; description: string; license: { name: string; identifier: string } };
  readonly servers: OpenApiServer[];
  readonly tags: { name: Api; description: string }[];
  readonly paths: Record<string, OpenApiPathItem>;
  readonly components: { schemas: Record<string, JsonSchema>; securitySchemes?: Record<string, JsonSchema> };
}

export interface OpenApiOptions {
  /** Only the operations one port serves (with the schemas they use); both when left out. */
  readonly api?: Api | undefined;
}

/** Every operation of both ports, in document order: what both apps register. */
export const operations: readonly Operation[] = [...sharedOperations, ...publicOperations, ...adminOperations];

const SERVERS: Readonly<Record<Api, OpenApiServer>> = {
  public: { url: 'http://127.0.0.1:4444', description: 'The public API at its default address (`serve.public`; clients use `urls.self.public`).' },
  admin: { url: 'http://127.0.0.1:4445', description: 'The admin API at its default address (`serve.admin`); keep it private: it has no authentication of its own.' },
};

const TAGS: Readonly<Record<Api, string>> = {
  public: 'The public API (port 4444): OAuth 2.0 and OpenID Connect endpoints for clients and browsers.',
  admin: 'The admin API (port 4445), Ory Hydra v2 compatible: clients, keys, login/consent/logout requests, sessions, introspection. Paths without the `/admin` prefix are accepted too.',
};

const SECURITY_SCHEMES: Readonly<Record<string, JsonSchema>> = {
  clientSecretBasic: { type: 'http', scheme: 'basic', description: '`client_secret_basic`: client_id and client_secret, each form-urlencoded, as HTTP Basic (RFC 6749 §2.3.1).' },
  bearer: { type: 'http', scheme: 'bearer', description: 'An access token (RFC 6750 §2.1).' },
};

const DESCRIPTION = [
  'Tessera is an OAuth 2.0 and OpenID Connect server whose public and admin APIs are wire-compatible with Ory Hydra v2.',
  'This document is generated from the zod schemas of `@tessera/sdk`, the ones the server validates requests with.',
  'Every error has the shape of `ErrorResponse`.',
].join(' ');

function schemasOf(op: Operation): z.ZodType[] {
  const bodies = Object.values(op.responses).flatMap((r: ResponseSpec) => (r.json ? [r.json] : []));
  return [...(op.query ? [op.query] : []), ...(op.body ? [op.body.schema] : []), ...bodies];
}

/** A query object becomes one parameter per property; its description moves to the parameter. */
function parameters(op: Operation, { expanded }: Converted): JsonSchema[] {
  const inPath = [...op.path.matchAll(/\{(\w+)\}/g)].map(([, name = '']) => ({
    name, in: 'path', required: true, description: op.pathParams?.[name] ?? '', schema: { type: 'string' },
  }));
  if (!op.query) return inPath;
  const query = expanded(op.query);
  const required = new Set((query['required'] as string[] | undefined) ?? []);
  const properties = (query['properties'] ?? {}) as Record<string, JsonSchema>;
  const inQuery = Object.entries(properties).map(([name, { description, ...schema }]) => ({
    name, in: 'query', required: required.has(name), ...(typeof description === 'string' ? { description } : {}), schema,
  }));
  return [...inPath, ...inQuery];
}

function responses(op: Operation, { of }: Converted): JsonSchema {
  const error = { 'application/json': { schema: of(ErrorResponse) } };
  const out: JsonSchema = {};
  for (const [status, r] of Object.entries(op.responses)) {
    const headers = r.headers && Object.fromEntries(Object.entries(r.headers).map(([name, h]) => [name, { description: h.description, schema: { type: h.type } }]));
    const content = r.json
      ? { 'application/json': { schema: of(r.json) }, ...(r.text ? { [r.text]: { schema: { type: 'string' } } } : {}) }
      : r.html
        ? { 'text/html': { schema: { type: 'string' } } }
        : r.text
          ? { [r.text]: { schema: { type: 'string' } } }
          : undefined;
    out[status] = { description: r.description, ...(headers ? { headers } : {}), ...(content ? { content } : {}) };
  }
  for (const status of op.errors ?? []) out[String(status)] = { description: ERROR_DESCRIPTIONS[status], content: error };
  out['default'] = { description: 'Any other error: 405 on a wrong method, 413 past 100 KiB of body, 415 for a body of another media type, 500 `server_error`, 503 `temporarily_unavailable` while the database is away.', content: error };
  return out;
}

function operationObject(op: Operation, converted: Converted): JsonSchema {
  const { of } = converted;
  const params = parameters(op, converted);
  const body = op.body && {
    required: op.body.required ?? true,
    content: { [op.body.form ? 'application/x-www-form-urlencoded' : 'application/json']: { schema: of(op.body.schema) } },
  };
  const security = op.security && [...op.security.schemes.map((s) => ({ [s]: [] })), ...(op.security.optional ? [{}] : [])];
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [...op.apis],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: responses(op, converted),
    ...(security ? { security } : {}),
  };
}

/**
 * The OpenAPI 3.1 document of Tessera's public and admin APIs (or of one of
 * them), generated from the contract schemas. Deterministic: the same build
 * gives the same document, byte for byte once serialised.
 */
export function openApiDocument(options: OpenApiOptions = {}): OpenApiDocument {
  const { api } = options;
  const apis: Api[] = api ? [api] : ['public', 'admin'];
  const ops = operations.filter((op) => op.apis.some((a) => apis.includes(a)));
  const converted = convert(ops.flatMap(schemasOf));
  const { named } = converted;

  const paths: Record<string, OpenApiPathItem> = {};
  for (const op of ops) {
    const item = (paths[op.path] ??= { servers: op.apis.filter((a) => apis.includes(a)).map((a) => SERVERS[a]) });
    item[op.method] = operationObject(op, converted);
  }
  const used = referencedComponents(paths, named);
  const schemes = new Set(ops.flatMap((op) => op.security?.schemes ?? []));
  return {
    openapi: '3.1.0',
    info: { title: api ? `Tessera ${api} API` : 'Tessera', version: CONTRACT_VERSION, description: DESCRIPTION, license: { name: 'Apache-2.0', identifier: 'Apache-2.0' } },
    servers: apis.map((a) => SERVERS[a]),
    tags: apis.map((name) => ({ name, description: TAGS[name] })),
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(named).filter(([name]) => used.has(name))),
      ...(schemes.size > 0 ? { securitySchemes: Object.fromEntries([...schemes].map((s) => [s, SECURITY_SCHEMES[s] ?? {}])) } : {}),
    },
  };
}

/** `sdk/openapi.json` as `npm run openapi` writes it: the whole document, two-space indented, with a final newline. */
export function openApiJson(): string {
  return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}
