import { z } from 'zod';
import { environmentKeys, objectShape } from './env.js';
import { environmentPrefixes } from './strict.js';

/*
 * docs/configuration.md and tessera.example.yaml, generated from the schema
 * (`npm run docs:config`); test/server/config/docs.test.ts fails when either
 * is stale. Types, defaults and descriptions are read off the zod schema:
 * `.describe()` for the text, `.meta({ kind, example })` for a type name
 * (`duration`) and an example value for the example file.
 */

export interface KeyDoc {
  readonly path: readonly string[];
  readonly env: string;
  readonly type: string;
  /** The default as written in the file; undefined when the key is required or optional. */
  readonly fallback: unknown;
  readonly required: boolean;
  readonly description: string;
  readonly example: unknown;
}

function typeName(s: z.core.$ZodType): string {
  if (s instanceof z.ZodString) return 'string';
  if (s instanceof z.ZodBoolean) return 'boolean';
  if (s instanceof z.ZodNumber) {
    const range = Number.isFinite(s.minValue) && Number.isFinite(s.maxValue) ? ` (${s.minValue}–${s.maxValue})` : '';
    return `${s.isInt ? 'integer' : 'number'}${range}`;
  }
  if (s instanceof z.ZodEnum) return `one of ${s.options.map((o) => `\`${String(o)}\``).join(', ')}`;
  if (s instanceof z.ZodArray) return `list of ${typeName(s.element).replace(/^one of /, '')}`;
  return 'value';
}

/** Peels defaults, optionals and pipes off a leaf, collecting what they say. */
function describeLeaf(leaf: z.core.$ZodType): Omit<KeyDoc, 'path' | 'env'> {
  let s: z.core.$ZodType = leaf;
  let fallback: unknown;
  let optional = false;
  let description: string | undefined;
  let kind: string | undefined;
  let example: unknown;
  for (;;) {
    const meta = z.globalRegistry.get(s);
    description ??= meta?.description;
    kind ??= typeof meta?.['kind'] === 'string' ? meta['kind'] : undefined;
    example ??= meta?.['example'];
    if ((s instanceof z.ZodDefault || s instanceof z.ZodPrefault) && fallback === undefined) fallback = s.def.defaultValue;
    if (s instanceof z.ZodOptional) optional = true;
    if (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.def.innerType;
    else if (s instanceof z.ZodPipe) s = s.def.in instanceof z.ZodTransform ? s.def.out : s.def.in;
    else break;
  }
  return { type: kind ?? typeName(s), fallback, required: fallback === undefined && !optional, description: description ?? '', example };
}

function leafAt(schema: z.core.$ZodType, path: readonly string[]): z.core.$ZodType {
  let s = schema;
  for (const key of path) {
    const shape = objectShape(s);
    const child = shape && Object.hasOwn(shape, key) ? shape[key] : undefined;
    if (child === undefined) throw new Error(`no key ${path.join('.')}`);
    s = child;
  }
  return s;
}

/** Every key of the schema, in schema order. */
export function keyDocs(schema: z.core.$ZodType): KeyDoc[] {
  return environmentKeys(schema).map(({ path, env }) => ({ path, env, ...describeLeaf(leafAt(schema, path)) }));
}

const shown = (v: unknown) => (Array.isArray(v) ? `[${v.map(String).join(', ')}]` : String(v));
const cell = (text: string) => text.replace(/\|/g, '\\|');

function table(keys: readonly KeyDoc[]): string[] {
  return [
    '| Key | Type | Default | Environment | Description |',
    '|---|---|---|---|---|',
    ...keys.map((k) => {
      const fallback = k.required ? '**required**' : k.fallback === undefined ? '—' : `\`${shown(k.fallback)}\``;
      return `| \`${k.path.join('.')}\` | ${cell(k.type)} | ${fallback} | \`${k.env}\` | ${cell(k.description)} |`;
    }),
  ];
}

/** docs/configuration.md. */
export function configurationMarkdown(schema: z.core.$ZodType): string {
  const keys = keyDocs(schema);
  const sections = [...new Set(keys.map((k) => k.path[0] ?? ''))];
  const prefixes = environmentPrefixes(schema).map((p) => `\`${p}\``).join(', ');
  return [
    '# Configuration',
    '',
    '<!-- Generated from server/src/config/schema.ts by `npm run docs:config`; edit the schema, not this file. -->',
    '',
    'Tessera reads a YAML file (`--config FILE`) and the environment; an environment variable wins over',
    'the file. Every key has a variable named after its path (`urls.self.issuer` → `URLS_SELF_ISSUER`);',
    'lists are comma-separated there. [tessera.example.yaml](../tessera.example.yaml) shows every key.',
    '',
    '**Strict:** a key in the file that is not listed below, and an environment variable that starts',
    `with a section prefix (${prefixes}) but names no key, stop`,
    'start-up with exit code 2 and a line naming the closest known key:',
    '',
    '```',
    'config error: serve.publc.port: unknown key; did you mean `serve.public.port`?',
    '```',
    '',
    'Other variables (`PATH`, `NODE_ENV`, `TESSERA_ADMIN_URL`, …) are not read. `tessera config validate',
    '[--config FILE]` checks a configuration without starting: it prints `ok`, or every problem.',
    '',
    'Booleans accept `true`/`false`/`1`/`0`; durations are Go-style (`90s`, `1h30m`, `720h`); ports',
    'are 0–65535.',
    '',
    '## Top level',
    '',
    ...table(keys.filter((k) => k.path.length === 1)),
    '',
    ...sections
      .filter((section) => keys.some((k) => k.path[0] === section && k.path.length > 1))
      .flatMap((section) => [`## \`${section}\``, '', ...table(keys.filter((k) => k.path[0] === section)), '']),
  ].join('\n');
}
