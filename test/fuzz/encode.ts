import type { Leaf, Ref } from './strings.js';
import { wtf8 } from './strings.js';

/*
 * Turning symbolic leaves and trees into the bytes of a request: URL
 * components, form bodies and JSON text (with duplicate keys and raw bytes
 * inside strings, which JSON.stringify cannot write).
 */

export type Values = Readonly<Record<Ref, string>>;

/** A JSON value whose strings are leaves and whose objects are entry lists (so a key can repeat). */
export type JsonTree = null | boolean | number | Leaf | { readonly arr: readonly JsonTree[] } | { readonly obj: readonly (readonly [string, JsonTree])[] };

export function leafBytes(leaf: Leaf, values: Values): Buffer {
  if ('ref' in leaf) return Buffer.from(values[leaf.ref], 'utf8');
  if ('s' in leaf) return wtf8(leaf.s);
  return Buffer.from(leaf.b);
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Percent-encodes all but unreserved bytes; a `raw` leaf keeps `%` and bytes ≥ 0x80 as they are. */
export function urlComponent(leaf: Leaf, values: Values): Buffer {
  const raw = 'raw' in leaf && leaf.raw === true;
  const out: number[] = [];
  for (const byte of leafBytes(leaf, values)) {
    if (UNRESERVED.test(String.fromCharCode(byte)) || (raw && (byte >= 0x80 || byte === 0x25))) out.push(byte);
    else out.push(...Buffer.from(`%${byte.toString(16).toUpperCase().padStart(2, '0')}`, 'latin1'));
  }
  return Buffer.from(out);
}

/** `a=b&c=d` from pairs; a pair with no value is written as a bare name. */
export function formBytes(pairs: readonly (readonly [Leaf, Leaf | undefined])[], values: Values): Buffer {
  const parts: Buffer[] = [];
  pairs.forEach(([name, value], i) => {
    if (i > 0) parts.push(Buffer.from('&'));
    parts.push(urlComponent(name, values));
    if (value) parts.push(Buffer.from('='), urlComponent(value, values));
  });
  return Buffer.concat(parts);
}

function isLeaf(tree: JsonTree): tree is Leaf {
  return typeof tree === 'object' && tree !== null && ('ref' in tree || 's' in tree || 'b' in tree);
}

/** A JSON string of a leaf: escaped properly, or (raw) with its bytes as they are but for `"`, `\` and controls. */
function jsonString(leaf: Leaf, values: Values): Buffer {
  if ('ref' in leaf) return Buffer.from(JSON.stringify(values[leaf.ref]), 'utf8');
  // JSON.stringify writes a lone surrogate as a \udXXX escape: valid JSON text that decodes to an invalid string.
  if ('s' in leaf && !leaf.raw) return Buffer.from(JSON.stringify(leaf.s), 'utf8');
  const out: number[] = [0x22];
  for (const byte of leafBytes(leaf, values)) {
    if (byte === 0x22 || byte === 0x5c) out.push(0x5c, byte);
    else if (byte < 0x20) out.push(...Buffer.from(`\\u${byte.toString(16).padStart(4, '0')}`, 'latin1'));
    else out.push(byte);
  }
  out.push(0x22);
  return Buffer.from(out);
}

export function jsonBytes(tree: JsonTree, values: Values): Buffer {
  if (tree === null || typeof tree === 'boolean' || typeof tree === 'number') return Buffer.from(JSON.stringify(tree) ?? 'null', 'utf8');
  if (isLeaf(tree)) return jsonString(tree, values);
  if ('arr' in tree) return Buffer.concat([Buffer.from('['), ...join(tree.arr.map((t) => jsonBytes(t, values))), Buffer.from(']')]);
  const entries = tree.obj.map(([key, value]) => Buffer.concat([Buffer.from(`${JSON.stringify(key)}:`, 'utf8'), jsonBytes(value, values)]));
  return Buffer.concat([Buffer.from('{'), ...join(entries), Buffer.from('}')]);
}

function join(parts: Buffer[]): Buffer[] {
  return parts.flatMap((p, i) => (i === 0 ? [p] : [Buffer.from(','), p]));
}
