import { z } from 'zod';
import type { JsonSchema, OpenApiDocument } from '@tessera/sdk/openapi';

/*
 * Checks real answers against the OpenAPI document itself (its JSON Schemas,
 * turned back into validators by zod), not against the zod schemas it was
 * generated from: a mistake in the generation shows up here.
 */

const REF = '#/components/schemas/';

/** `#/components/schemas/X` → `#/$defs/X`, which is where a standalone JSON Schema keeps its definitions. */
function toDefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toDefs);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? v.replace(REF, '#/$defs/') : toDefs(v)]),
  );
}

export interface DocumentValidator {
  /** Zod's issues (empty when valid) of `data` against a schema of the document. */
  issues(schema: JsonSchema, data: unknown): string[];
  /**
   * Paths of object members the schema does not list, where it lists members
   * and says nothing of others: fields the server sends that the contract
   * does not know (the SDK would drop them without a word).
   */
  undocumented(schema: JsonSchema, data: unknown): string[];
}

export function documentValidator(doc: OpenApiDocument): DocumentValidator {
  const defs = toDefs(doc.components.schemas) as Record<string, unknown>;
  const resolve = (schema: JsonSchema): JsonSchema => {
    const ref = schema['$ref'];
    return typeof ref === 'string' ? resolve(doc.components.schemas[ref.slice(REF.length)] ?? {}) : schema;
  };

  const undocumented = (schema: JsonSchema, data: unknown, at: string): string[] => {
    const s = resolve(schema);
    if (Array.isArray(data)) return s['items'] ? data.flatMap((item, i) => undocumented(s['items'] as JsonSchema, item, `${at}[${i}]`)) : [];
    if (typeof data !== 'object' || data === null) return [];
    const properties = s['properties'] as Record<string, JsonSchema> | undefined;
    if (!properties) return [];
    return Object.entries(data).flatMap(([key, value]) => {
      const member = properties[key];
      if (member) return undocumented(member, value, `${at}.${key}`);
      return 'additionalProperties' in s ? [] : [`${at}.${key}`];
    });
  };

  return {
    issues(schema, data) {
      const validator = z.fromJSONSchema({ ...(toDefs(schema) as object), $defs: defs } as Parameters<typeof z.fromJSONSchema>[0]);
      const result = validator.safeParse(data);
      return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    },
    undocumented: (schema, data) => undocumented(schema, data, '$'),
  };
}

/** The first line where two texts differ, to say what is stale without printing 150 KB. */
export function firstDifference(a: string, b: string): string {
  const left = a.split('\n');
  const right = b.split('\n');
  const line = left.findIndex((l, i) => l !== right[i]);
  const n = line === -1 ? Math.min(left.length, right.length) : line;
  return `line ${n + 1}: committed ${JSON.stringify(left[n] ?? '(end of file)')}, generated ${JSON.stringify(right[n] ?? '(end of file)')}`;
}

/** (method, path) of every route a koa app's @koa/router registered, HEAD left out; `:id` written `{id}`. */
export function registeredRoutes(app: { middleware: unknown[] }): string[] {
  const routes = new Set<string>();
  for (const mw of app.middleware) {
    const router = (mw as { router?: { stack: { path: string; methods: string[] }[] } }).router;
    for (const layer of router?.stack ?? []) {
      for (const method of layer.methods) {
        if (method !== 'HEAD') routes.add(`${method.toLowerCase()} ${layer.path.replace(/:(\w+)/g, '{$1}')}`);
      }
    }
  }
  return [...routes].sort();
}

export const documentedRoutes = (doc: OpenApiDocument): string[] =>
  Object.entries(doc.paths)
    .flatMap(([path, item]) => Object.keys(item).filter((k) => k !== 'servers').map((method) => `${method} ${path}`))
    .sort();
