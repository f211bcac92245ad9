import type { z } from 'zod';
import { keyDocs, type KeyDoc } from './docs.js';

/*
 * tessera.example.yaml, generated with docs/configuration.md. Keys with an
 * example value in the schema (`.meta({ example })`) are set; every other key
 * is shown commented out with its default. A section is written only when a
 * key in it is set: an empty `serve:` would be YAML null, which is invalid.
 */

type Node = { doc?: KeyDoc; children: Map<string, Node> };

function tree(keys: readonly KeyDoc[]): Node {
  const root: Node = { children: new Map() };
  for (const doc of keys) {
    let node = root;
    for (const part of doc.path) {
      const next = node.children.get(part) ?? { children: new Map() };
      node.children.set(part, next);
      node = next;
    }
    node.doc = doc;
  }
  return root;
}

const scalar = (v: unknown): string =>
  typeof v === 'string' && !/^[\w./:@+-]+$/.test(v) ? JSON.stringify(v) : String(v);
const yamlValue = (v: unknown): string => (Array.isArray(v) ? `[${v.map(scalar).join(', ')}]` : scalar(v));

const isSet = (node: Node): boolean => node.doc?.example !== undefined || [...node.children.values()].some(isSet);

/** Prose wrapped to about 100 columns, each line a comment at the key's indentation. */
function comment(text: string, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent.length + line.length + word.length > 98) {
      lines.push(`${indent}# ${line}`);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return line === '' ? lines : [...lines, `${indent}# ${line}`];
}

function leafLines(name: string, doc: KeyDoc, indent: string, inComment: boolean): string[] {
  const note = `${doc.description} (${doc.type}; env ${doc.env}${doc.required ? '; required' : ''})`;
  const value = doc.example ?? doc.fallback;
  const line = value === undefined ? `${name}:` : `${name}: ${yamlValue(value)}`;
  return [...comment(note, indent), doc.example !== undefined && !inComment ? `${indent}${line}` : `${indent}# ${line}`];
}

function lines(node: Node, depth: number, inComment: boolean): string[] {
  const indent = '  '.repeat(depth);
  const out: string[] = [];
  for (const [name, child] of node.children) {
    if (child.doc) {
      out.push(...leafLines(name, child.doc, indent, inComment));
    } else {
      const commented = inComment || !isSet(child);
      out.push(commented ? `${indent}# ${name}:` : `${indent}${name}:`, ...lines(child, depth + 1, commented));
    }
    if (depth === 0) out.push('');
  }
  return out;
}

export function exampleYaml(schema: z.core.$ZodType): string {
  return [
    '# tessera.example.yaml: every configuration key, with its default.',
    '# Generated from server/src/config/schema.ts by `npm run docs:config`; docs/configuration.md explains the keys.',
    '# A line "# key: value" shows a default: remove the "# " to change it. Every key can also be set in the',
    '# environment (urls.self.issuer -> URLS_SELF_ISSUER), which wins over this file; keep secrets.system there.',
    '# Check a configuration with: SECRETS_SYSTEM=… tessera config validate --config tessera.example.yaml',
    '',
    ...lines(tree(keyDocs(schema)), 0, false),
  ].join('\n');
}
