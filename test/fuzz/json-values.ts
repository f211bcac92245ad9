import fc from 'fast-check';
import type { JsonTree } from './encode.js';
import type { Schema } from './spec.js';
import { PROTOTYPE_NAMES, text, valueFor } from './strings.js';

/*
 * JSON bodies from the operation's request schema: values of the right type
 * (with hostile strings), one field of the wrong type, null for a field,
 * prototype member names as keys, duplicated keys, and a wrong top-level type.
 */

const obj = (v: unknown): Schema => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Schema) : {});
const num = (v: unknown, d: number): number => (typeof v === 'number' ? v : d);

const leafTree = (a: fc.Arbitrary<import('./strings.js').Leaf>): fc.Arbitrary<JsonTree> => a.map((l): JsonTree => l);

/** Numbers a validator may trip on. */
const oddNumbers = fc.constantFrom(0, -1, 1.5, -0, 1e308, -1e308, 2 ** 53 + 2, 2 ** 31, 2 ** 64, 0.1, 1e-320);

/** Any JSON value, small, with hostile strings and keys. */
export const anyJson: fc.Arbitrary<JsonTree> = fc.letrec<{ v: JsonTree }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    oddNumbers,
    leafTree(text),
    fc.array(tie('v'), { maxLength: 3 }).map((arr): JsonTree => ({ arr })),
    fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string({ maxLength: 8 })), tie('v')), { maxLength: 3 }).map((obj): JsonTree => ({ obj })),
  ),
})).v;

/** A value of another type than `schema` says. */
export function wrongType(schema: Schema): fc.Arbitrary<JsonTree> {
  const type = schema['type'];
  const all: Record<string, fc.Arbitrary<JsonTree>> = {
    string: leafTree(text),
    number: oddNumbers,
    boolean: fc.boolean(),
    null: fc.constant(null),
    array: fc.constantFrom<JsonTree>({ arr: [] }, { arr: [null] }, { arr: [{ arr: [] }] }, { arr: [1, { s: 'x' }] }),
    object: fc.constantFrom<JsonTree>({ obj: [] }, { obj: [['__proto__', { obj: [['admin', true]] }]] }, { obj: [['constructor', { obj: [['prototype', null]] }]] }),
  };
  const wrong = Object.entries(all).filter(([t]) => t !== type && !(type === 'integer' && t === 'number') && !(type === undefined && t === 'null'));
  return fc.oneof(...wrong.map(([, a]) => a));
}

/** A value of the schema's type (strings hostile or real), sometimes out of its bounds. */
export function ofType(schema: Schema, name: string, depth = 3): fc.Arbitrary<JsonTree> {
  const choices = schema['anyOf'] ?? schema['oneOf'];
  if (Array.isArray(choices) && choices.length > 0) return fc.oneof(...choices.map((c) => ofType(obj(c), name, depth)));
  if (Array.isArray(schema['enum'])) return fc.constantFrom(...(schema['enum'] as JsonTree[]).map((v) => (typeof v === 'string' ? { s: v } : v)));
  switch (schema['type']) {
    case 'string':
      return leafTree(valueFor(name));
    case 'integer':
    case 'number': {
      const min = num(schema['minimum'], -1e6);
      const max = num(schema['maximum'], 1e9);
      return fc.oneof(fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31) }), fc.constantFrom(min - 1, max + 1, min, max), oddNumbers);
    }
    case 'boolean':
      return fc.boolean();
    case 'array':
      return depth <= 0 ? fc.constant({ arr: [] }) : fc.array(ofType(obj(schema['items']), name, depth - 1), { maxLength: 4 }).map((arr): JsonTree => ({ arr }));
    case 'object':
      return depth <= 0 ? fc.constant({ obj: [] }) : objectOf(schema, depth - 1);
    default:
      return anyJson;
  }
}

/** An object per the schema: each property absent, right-typed, wrong-typed or null; extra prototype-named keys; a key twice. */
export function objectOf(schema: Schema, depth = 3): fc.Arbitrary<JsonTree> {
  const props = Object.entries(obj(schema['properties']));
  if (props.length === 0) return fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string({ maxLength: 12 })), anyJson), { maxLength: 3 }).map((o): JsonTree => ({ obj: o }));
  const field = ([name, s]: [string, unknown]) =>
    fc.option(
      fc.oneof(
        { arbitrary: ofType(obj(s), name, depth), weight: 6 },
        { arbitrary: wrongType(obj(s)), weight: 2 },
        { arbitrary: fc.constant(null), weight: 1 },
      ).map((v) => [name, v] as const),
      { freq: 2, nil: undefined },
    );
  const extra = fc.array(fc.tuple(fc.constantFrom(...PROTOTYPE_NAMES), anyJson), { maxLength: 2 });
  return fc.tuple(fc.tuple(...props.map(field)), extra, fc.boolean()).map(([fields, more, twice]): JsonTree => {
    const entries = [...fields.filter((f) => f !== undefined), ...more];
    // A repeated key: JSON.parse keeps the last; a stricter reader may not.
    if (twice && entries[0]) entries.push([entries[0][0], { s: 'duplicate' }]);
    return { obj: entries };
  });
}

/** A valid-looking object with exactly one field of the wrong type: what a per-field check must catch. */
export function oneFieldWrong(schema: Schema): fc.Arbitrary<JsonTree> {
  const props = Object.entries(obj(schema['properties']));
  if (props.length === 0) return wrongType(schema);
  return fc.nat({ max: props.length - 1 }).chain((i) => {
    const [name, s] = props[i] ?? ['', {}];
    return wrongType(obj(s)).map((v): JsonTree => ({ obj: [[name, v]] }));
  });
}
