import { z } from 'zod';

type Tree = { [key: string]: Tree | string };

/** Peels the wrappers (default, optional, preprocess) off a schema to see whether it is an object. */
export function objectShape(schema: z.core.$ZodType): Record<string, z.core.$ZodType> | undefined {
  let s: z.core.$ZodType = schema;
  for (;;) {
    if (s instanceof z.ZodObject) return s.shape as Record<string, z.core.$ZodType>;
    if (s instanceof z.ZodDefault || s instanceof z.ZodOptional || s instanceof z.ZodPrefault || s instanceof z.ZodNullable) {
      s = s.def.innerType;
    } else {
      return undefined;
    }
  }
}

/** Every leaf path of the schema with its Hydra-style environment name (`urls.self.issuer` → URLS_SELF_ISSUER). */
export function environmentKeys(schema: z.core.$ZodType, prefix: readonly string[] = []): Array<{ path: string[]; env: string }> {
  const shape = objectShape(schema);
  if (!shape) return [{ path: [...prefix], env: prefix.join('_').toUpperCase() }];
  return Object.entries(shape).flatMap(([key, child]) => environmentKeys(child, [...prefix, key]));
}

/** The part of the configuration the environment sets, as a tree of strings. */
export function fromEnvironment(schema: z.core.$ZodType, env: NodeJS.ProcessEnv): Tree {
  const tree: Tree = {};
  for (const { path, env: name } of environmentKeys(schema)) {
    const value = env[name];
    if (value === undefined) continue;
    let node = tree;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      node = typeof next === 'object' ? next : (node[key] = {});
    }
    node[path[path.length - 1] ?? ''] = value;
  }
  return tree;
}
