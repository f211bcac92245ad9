import type { z } from 'zod';
import { isPlain } from '../lib/merge.js';
import { environmentKeys, objectShape } from './env.js';

/*
 * Strict configuration (issue 19): a typo must not silently fall back to a
 * default. Two sources are checked against the schema:
 *
 * - the YAML file: every key at every level must be one the schema has;
 * - the environment: a variable is ours when its name starts with the name of
 *   a top-level section of the schema and an underscore (SERVE_, URLS_,
 *   SECRETS_, TTL_, STRATEGIES_, OAUTH2_, OIDC_, KEYS_, LOG_ …, derived from
 *   the schema, so a new section brings its prefix); such a variable must be
 *   one of the names env.ts derives (SERVE_PUBLIC_PORT). Anything else (PATH,
 *   NODE_ENV, TESSERA_ADMIN_URL, DSN_EXTRA) is not ours and is left alone.
 *   Names are case-sensitive, as env.ts reads them.
 */

/** A key nobody reads, with the closest key(s) the schema knows. */
export interface UnknownKey {
  readonly key: string;
  readonly suggestions: readonly string[];
}

/** Optimal string alignment distance: edits, with a swap of neighbours counting one (`dns` → `dsn`). */
function distance(a: string, b: string): number {
  const width = b.length + 1;
  const d = new Array<number>((a.length + 1) * width).fill(0);
  const at = (i: number, j: number) => d[i * width + j] ?? 0;
  for (let i = 0; i <= a.length; i++) d[i * width] = i;
  for (let j = 0; j <= b.length; j++) d[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * width + j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The candidates within a typo's reach of `word`: one edit for short words, two from five characters. */
function closest(word: string, candidates: readonly string[]): string[] {
  const scored = candidates.map((c) => ({ c, d: distance(word.toLowerCase(), c.toLowerCase()) }));
  const reach = (c: string) => (Math.max(word.length, c.length) >= 5 ? 2 : 1);
  const near = scored.filter(({ c, d }) => d <= reach(c));
  const best = Math.min(...near.map(({ d }) => d));
  return near.filter(({ d }) => d === best).map(({ c }) => c);
}

/** Every dotted path the schema knows, sections included (`serve`, `serve.public`, `serve.public.port`). */
function knownPaths(schema: z.core.$ZodType): Set<string> {
  const paths = new Set<string>();
  for (const { path } of environmentKeys(schema)) {
    for (let i = 1; i <= path.length; i++) paths.add(path.slice(0, i).join('.'));
  }
  return paths;
}

/** The leaf paths under an unknown key's value (`serve.publc: {port: 1}` → serve.publc.port). */
function leavesUnder(value: unknown, path: readonly string[]): string[][] {
  if (!isPlain(value) || Object.keys(value).length === 0) return [[...path]];
  return Object.entries(value).flatMap(([k, v]) => leavesUnder(v, [...path, k]));
}

/** A misplaced key: known paths ending in the same name (`issuer` → urls.self.issuer). */
function sameName(name: string, known: ReadonlySet<string>, separator: string): string[] {
  return [...known].filter((k) => k.endsWith(`${separator}${name}`) || k === name).slice(0, 3);
}

function suggestFileKey(path: readonly string[], depth: number, siblings: readonly string[], known: ReadonlySet<string>): string[] {
  const prefix = path.slice(0, depth);
  const rest = path.slice(depth + 1);
  const near = closest(path[depth] ?? '', siblings).map((s) => {
    const full = [...prefix, s, ...rest].join('.');
    return known.has(full) ? full : [...prefix, s].join('.');
  });
  return near.length > 0 ? near : sameName(path[path.length - 1] ?? '', known, '.');
}

/** Keys of the YAML document the schema does not have, deepest unknown leaves named. */
export function unknownFileKeys(schema: z.core.$ZodType, doc: Record<string, unknown>): UnknownKey[] {
  const known = knownPaths(schema);
  const found: UnknownKey[] = [];
  const walk = (shape: Record<string, z.core.$ZodType>, node: Record<string, unknown>, prefix: string[]) => {
    for (const [key, value] of Object.entries(node)) {
      // Own keys only: `constructor` or `__proto__` in a file must not match Object.prototype.
      const child = Object.hasOwn(shape, key) ? shape[key] : undefined;
      if (child === undefined) {
        for (const leaf of leavesUnder(value, [...prefix, key])) {
          found.push({ key: leaf.join('.'), suggestions: suggestFileKey(leaf, prefix.length, Object.keys(shape), known) });
        }
        continue;
      }
      const childShape = objectShape(child);
      if (childShape && isPlain(value)) walk(childShape, value, [...prefix, key]);
    }
  };
  const root = objectShape(schema);
  if (root) walk(root, doc, []);
  return found;
}

/** The environment prefixes that mark a variable as ours: one per top-level section (`SERVE_`). */
export function environmentPrefixes(schema: z.core.$ZodType): string[] {
  const root = objectShape(schema) ?? {};
  return Object.entries(root)
    .filter(([, child]) => objectShape(child) !== undefined)
    .map(([key]) => `${key.toUpperCase()}_`);
}

/** Variables with one of our prefixes that name no key. */
export function unknownEnvironmentKeys(schema: z.core.$ZodType, env: NodeJS.ProcessEnv): UnknownKey[] {
  const names = new Set(environmentKeys(schema).map((k) => k.env));
  const prefixes = environmentPrefixes(schema);
  return Object.keys(env)
    .filter((name) => env[name] !== undefined && !names.has(name) && prefixes.some((p) => name.startsWith(p)))
    .sort()
    .map((name) => {
      const near = closest(name, [...names]);
      return { key: name, suggestions: near.length > 0 ? near : sameName(name.slice(name.lastIndexOf('_') + 1), names, '_') };
    });
}

/** The reason printed after the key: `unknown key; did you mean `serve.public.port`?` */
export function unknownReason(unknown: UnknownKey, what: 'key' | 'environment variable'): string {
  const hint = unknown.suggestions.map((s) => `\`${s}\``).join(' or ');
  return `unknown ${what}${hint ? `; did you mean ${hint}?` : ' (docs/configuration.md lists every key)'}`;
}
