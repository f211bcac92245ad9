export type Plain = Record<string, unknown>;

export const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Deep merge of plain objects; arrays and scalars in `over` replace those in
 * `base`. Keys are own data properties of the result, whatever their name: a
 * YAML `__proto__:` key stays a key (the schema then ignores it) instead of
 * becoming the result's prototype, through which every other key could be
 * read.
 */
export function deepMerge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = Object.hasOwn(out, key) ? out[key] : undefined;
    Object.defineProperty(out, key, {
      value: isPlain(prev) && isPlain(value) ? deepMerge(prev, value) : value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
