/*
 * `@tessera/sdk/openapi`: the OpenAPI 3.1 document of Tessera's APIs, built
 * from the contract schemas. A separate entry point, so that apps using only
 * the admin client do not bundle it.
 */
export { openApiDocument, openApiJson, operations, CONTRACT_VERSION, type OpenApiDocument, type OpenApiOptions, type OpenApiPathItem, type OpenApiServer } from './document.js';
export type { Api, BodySpec, ErrorStatus, HeaderSpec, HttpMethod, Operation, ResponseSpec } from './table.js';
export type { JsonSchema } from './schemas.js';
