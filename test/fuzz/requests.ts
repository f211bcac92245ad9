import fc from 'fast-check';
import type { RawRequest } from './raw-http.js';
import type { Header, HeaderPart } from './headers.js';
import { headersFor } from './headers.js';
import { formBytes, jsonBytes, leafBytes, urlComponent, type JsonTree, type Values } from './encode.js';
import { anyJson, objectOf, oneFieldWrong } from './json-values.js';
import type { OpSpec, Schema } from './spec.js';
import { PROTOTYPE_NAMES, PERCENT_SEQUENCES, sensibleFor, text, valueFor, type Leaf } from './strings.js';

/*
 * One generated request per operation: the operation's method (or another),
 * its path with hostile or real path parameters, its query and body
 * parameters (absent, once, twice, hostile, real, wrong-typed), junk headers.
 * Requests stay symbolic (leaves) until `toRaw` fills in the fixture values.
 */

export type Pairs = readonly (readonly [Leaf, Leaf | undefined])[];
export type Body = { readonly json: JsonTree } | { readonly form: Pairs } | { readonly raw: Leaf };

export interface FuzzRequest {
  readonly method: string;
  readonly path: readonly Leaf[];
  readonly dropPrefix: boolean;
  readonly trailingSlash: boolean;
  readonly query: Pairs | undefined;
  readonly headers: readonly Header[];
  readonly body: Body | undefined;
  readonly chunked: boolean;
}

const OTHER_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'get', 'FOO', 'PROPFIND', 'PURGE', 'M-SEARCH'];

/** Paths that try traversal, doubled slashes, case and encoded separators. */
const STRAY_PATHS = [
  '/admin/../admin/clients', '/./health/ready', '//admin//clients', '/admin/clients/%2e%2e', '/%2e%2e/%2e%2e/etc/passwd', '/admin/keys/x/..',
  '/OAUTH2/TOKEN', '/oauth2/token/', '/oauth2//token', '/oauth2/token;x', '/admin%2fclients', '/admin/clients%00', '/\\admin\\clients', '*', '/%ZZ',
  '/health/ready%ED%A0%80', `/admin/clients/${'a'.repeat(9000)}`, '/admin', '/admin/', '/.well-known/', '/oauth2/introspect', '/admin/oauth2/introspect/',
  '/clients', '/keys/hydra.openid.id-token', '/oauth2/auth/requests/login', '/__proto__', '/constructor/prototype',
].map((s): Leaf => ({ s, raw: true }));

const MALFORMED_BODIES: readonly Leaf[] = [
  ...['{', '{"a":', '[', 'nul', '\uFEFF{}', '{"a":1}garbage', '"\\ud800"', '{"a":"\\u0000"}', '{"\\u0000":1}', '{"a":"\\udfff"}', '1e99999', '', ' ', '\0',
    `${'['.repeat(5000)}${']'.repeat(5000)}`, `{"a":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`, '{"__proto__":{"isAdmin":true}}', '{"constructor":{"prototype":{"x":1}}}',
  ].map((s): Leaf => ({ s })),
  { b: [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d] },
  { b: [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d] },
  { b: [0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00] },
  { s: 'a'.repeat(101 * 1024) },
  ...PERCENT_SEQUENCES.map((s): Leaf => ({ s: `a=${s}&${s}=b` })),
];

/** What is done to plausible parameters: one made hostile, one sent twice, an extra one (prototype-named, malformed, bare). */
type Mutation = { readonly set: number; readonly value: Leaf } | { readonly twice: number; readonly value: Leaf } | { readonly extra: Leaf; readonly value: Leaf | undefined };

const mutation = (count: number): fc.Arbitrary<Mutation> => {
  const extraName = fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES).map((s): Leaf => ({ s })), text);
  const extra = fc.record({ extra: extraName, value: fc.option(text, { nil: undefined }) });
  if (count === 0) return extra;
  const index = fc.nat(count - 1);
  return fc.oneof(
    { arbitrary: fc.record({ set: index, value: text }), weight: 3 },
    // Prototype member names get their own share: every table keyed by a parameter must survive them (issue 12, class 2).
    { arbitrary: fc.record({ set: index, value: fc.constantFrom(...PROTOTYPE_NAMES).map((s): Leaf => ({ s })) }), weight: 2 },
    { arbitrary: fc.record({ twice: index, value: fc.oneof(text, fc.constantFrom<Leaf>({ ref: 'clientId' }, { s: 'code' })) }), weight: 2 },
    { arbitrary: extra, weight: 1 },
  );
};

/**
 * Parameters as pairs: each absent or plausible, then up to three mutations,
 * so most requests are wrong in one or two places and get past the first check.
 */
export function pairsFor(params: readonly { readonly name: string; readonly required?: boolean }[]): fc.Arbitrary<Pairs> {
  const present = (required: boolean | undefined) => (required ? fc.nat(9).map((n) => n > 0) : fc.nat(3).map((n) => n === 0));
  const plausible = fc.tuple(...params.map(({ name, required }) => fc.tuple(present(required), sensibleFor(name)).map(([p, v]) => (p ? v : undefined))));
  return fc.tuple(plausible, fc.array(mutation(params.length), { maxLength: 3 })).map(([values, mutations]) => {
    const pairs: [Leaf, Leaf | undefined][] = [];
    const named = params.map(({ name }, i) => [name, values[i]] as [string, Leaf | undefined]);
    for (const m of mutations) {
      if ('set' in m) (named[m.set] ?? ['', undefined])[1] = m.value;
    }
    for (const [name, value] of named) if (value !== undefined) pairs.push([{ s: name }, value]);
    for (const m of mutations) {
      if ('twice' in m) pairs.push([{ s: params[m.twice]?.name ?? '' }, m.value]);
      if ('extra' in m) pairs.push([m.extra, m.value]);
    }
    return pairs;
  });
}

function bodyFor(op: OpSpec): fc.Arbitrary<Body | undefined> {
  const none = fc.constant(undefined);
  const raw = fc.constantFrom(...MALFORMED_BODIES).map((l): Body => ({ raw: l }));
  const anyForm = pairsFor([]).map((form): Body => ({ form }));
  const someJson = anyJson.map((json): Body => ({ json }));
  if (!op.body) return fc.oneof({ arbitrary: none, weight: 8 }, { arbitrary: anyForm, weight: 1 }, { arbitrary: someJson, weight: 1 }, { arbitrary: raw, weight: 1 });
  const required = Array.isArray(op.body.schema['required']) ? (op.body.schema['required'] as unknown[]) : [];
  const props = Object.entries((op.body.schema['properties'] ?? {}) as Record<string, Schema>).map(([name, schema]) => ({ name, schema, required: required.includes(name) }));
  if (op.body.form) {
    const form = pairsFor(props).map((f): Body => ({ form: f }));
    return fc.oneof({ arbitrary: form, weight: 16 }, { arbitrary: raw, weight: 2 }, { arbitrary: someJson, weight: 1 }, { arbitrary: none, weight: 1 });
  }
  return fc.oneof(
    { arbitrary: objectOf(op.body.schema).map((json): Body => ({ json })), weight: 8 },
    { arbitrary: oneFieldWrong(op.body.schema).map((json): Body => ({ json })), weight: 4 },
    { arbitrary: someJson, weight: 1 },
    { arbitrary: raw, weight: 2 },
    { arbitrary: pairsFor(props).map((f): Body => ({ form: f })), weight: 1 },
    { arbitrary: none, weight: 1 },
  );
}

/** The Content-Type that matches the body (a malformed body is labelled as the operation's own media type). */
const rightType = (op: OpSpec, body: Body | undefined): string | undefined => {
  if (body === undefined) return undefined;
  const form = 'form' in body || ('raw' in body && op.body?.form === true);
  return form ? 'application/x-www-form-urlencoded' : 'application/json';
};

/** True once in `n` draws; never for 0. */
const sometimes = (n: number): fc.Arbitrary<boolean> => (n === 0 ? fc.constant(false) : fc.nat(n).map((k) => k === 0));

export function requestFor(op: OpSpec): fc.Arbitrary<FuzzRequest> {
  const stray = op.key.startsWith('strayRoute');
  const method = fc.oneof({ arbitrary: fc.constant(op.method), weight: stray ? 1 : 8 }, { arbitrary: fc.constantFrom(...OTHER_METHODS), weight: stray ? 3 : 1 });
  const path = stray ? fc.oneof(fc.constantFrom(...STRAY_PATHS), text).map((l) => [l]) : fc.tuple(...op.pathParams.map((name) => valueFor(name)));
  const query = op.query.length > 0
    ? fc.option(pairsFor(op.query), { freq: 8, nil: undefined })
    : fc.oneof({ arbitrary: fc.constant(undefined), weight: 6 }, { arbitrary: pairsFor([]), weight: 1 });
  return fc
    .record({ method, path, dropPrefix: sometimes(op.port === 'admin' ? 6 : 0), trailingSlash: sometimes(9), query, body: bodyFor(op), chunked: sometimes(9) })
    .chain((r) => headersFor(rightType(op, r.body), op.browser, op.security).map((headers): FuzzRequest => ({ ...r, headers })));
}

function headerBytes(parts: readonly HeaderPart[], values: Values): Buffer {
  const bytes = Buffer.concat(
    parts.map((p) => ('lit' in p ? Buffer.from(p.lit, 'latin1') : 'leaf' in p ? leafBytes(p.leaf, values) : Buffer.from(headerBytes(p.b64, values).toString('base64'), 'latin1'))),
  );
  // CR and LF would end the header: that is request smuggling, not what is fuzzed here.
  return Buffer.from(bytes.filter((b) => b !== 0x0d && b !== 0x0a));
}

function bodyBytes(body: Body, values: Values): Buffer {
  if ('json' in body) return jsonBytes(body.json, values);
  if ('form' in body) return formBytes(body.form, values);
  return leafBytes(body.raw, values);
}

/** The bytes to send, with the fixture's values in. */
export function toRaw(op: OpSpec, req: FuzzRequest, values: Values): RawRequest {
  let path: Buffer;
  if (op.key.startsWith('strayRoute')) {
    const leaf = req.path[0] ?? { s: '' };
    path = 'raw' in leaf && leaf.raw ? leafBytes(leaf, values) : Buffer.concat([Buffer.from('/'), urlComponent(leaf, values)]);
  } else {
    const template = req.dropPrefix ? op.path.replace(/^\/admin\//, '/') : op.path;
    const pieces = template.split(/\{(\w+)\}/);
    path = Buffer.concat(pieces.map((piece, i) => (i % 2 === 0 ? Buffer.from(piece) : urlComponent(req.path[op.pathParams.indexOf(piece)] ?? { s: '' }, values))));
  }
  if (req.trailingSlash) path = Buffer.concat([path, Buffer.from('/')]);
  const target = req.query ? Buffer.concat([path, Buffer.from('?'), formBytes(req.query, values)]) : path;
  const headers = req.headers.map(([name, parts]) => [name, headerBytes(parts, values)] as const);
  return { method: req.method, target, headers, body: req.body ? bodyBytes(req.body, values) : undefined, chunked: req.chunked };
}
