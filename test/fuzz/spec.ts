/*
 * The operations to fuzz, read from the served OpenAPI document (the admin
 * port serves both APIs): method, path template, path and query parameters,
 * the request body's schema and media type, and which port serves it.
 */

export type Schema = Readonly<Record<string, unknown>>;
/** The server a request goes to: Tessera's two ports, or the login-consent app. */
export type Port = 'public' | 'admin' | 'app';

export interface OpSpec {
  /** `operationId`, with `@admin`/`@public` when both ports serve it. */
  readonly key: string;
  readonly port: Port;
  readonly method: string;
  readonly path: string;
  readonly pathParams: readonly string[];
  readonly query: readonly { readonly name: string; readonly schema: Schema; readonly required: boolean }[];
  readonly body: { readonly form: boolean; readonly schema: Schema } | undefined;
  /** A browser endpoint (cookies matter). */
  readonly browser: boolean;
  /** The credentials it takes, from `security`. */
  readonly security: 'basic' | 'bearer' | undefined;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

const obj = (v: unknown): Schema => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Schema) : {});
const list = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);

/** Replaces `$ref`s to `#/components/schemas/X` by the schema, to `depth` levels. */
export function resolve(schema: unknown, components: Schema, depth = 6): Schema {
  const s = obj(schema);
  const ref = s['$ref'];
  if (typeof ref === 'string') return depth > 0 ? resolve(components[ref.replace('#/components/schemas/', '')], components, depth - 1) : {};
  const out: Record<string, unknown> = { ...s };
  if (s['properties']) out['properties'] = Object.fromEntries(Object.entries(obj(s['properties'])).map(([k, v]) => [k, resolve(v, components, depth)]));
  if (s['items']) out['items'] = resolve(s['items'], components, depth);
  for (const key of ['anyOf', 'oneOf', 'allOf']) if (s[key]) out[key] = list(s[key]).map((v) => resolve(v, components, depth));
  return out;
}

/** The ports an operation is served on: its tags (`public`, `admin`). */
function portsOf(op: Schema): Port[] {
  const tags = list(op['tags']);
  return (['public', 'admin'] as const).filter((port) => tags.includes(port));
}

function securityOf(op: Schema): 'basic' | 'bearer' | undefined {
  const schemes = list(op['security']).flatMap((s) => Object.keys(obj(s)));
  return schemes.includes('clientSecretBasic') ? 'basic' : schemes.includes('bearer') ? 'bearer' : undefined;
}

export function operationsOf(document: unknown): OpSpec[] {
  const doc = obj(document);
  const components = obj(obj(doc['components'])['schemas']);
  const ops: OpSpec[] = [];
  for (const [path, item] of Object.entries(obj(doc['paths']))) {
    for (const method of METHODS) {
      const op = obj(obj(item)[method]);
      if (!op['operationId']) continue;
      const params = list(op['parameters']).map(obj);
      const content = obj(obj(op['requestBody'])['content']);
      const form = content['application/x-www-form-urlencoded'];
      const json = content['application/json'];
      const media = form ?? json;
      const ports = portsOf(op);
      for (const port of ports) {
        ops.push({
          key: ports.length > 1 ? `${String(op['operationId'])}@${port}` : String(op['operationId']),
          port,
          method: method.toUpperCase(),
          path,
          pathParams: params.filter((p) => p['in'] === 'path').map((p) => String(p['name'])),
          query: params.filter((p) => p['in'] === 'query').map((p) => ({ name: String(p['name']), schema: resolve(p['schema'], components), required: p['required'] === true })),
          body: media ? { form: form !== undefined, schema: resolve(obj(media)['schema'], components) } : undefined,
          browser: path === '/oauth2/auth' || path === '/oauth2/sessions/logout' || path === '/oauth2/device/verify',
          security: securityOf(op),
        });
      }
    }
  }
  return ops;
}

/** Not an operation: any method on any path, on either port (routing, 404 and 405 answers, path normalisation). */
export const STRAY_ROUTES: readonly OpSpec[] = (['public', 'admin'] as const).map((port) => ({
  key: `strayRoute@${port}`, port, method: 'GET', path: '/{stray}', pathParams: ['stray'], query: [], body: undefined, browser: false, security: undefined,
}));
