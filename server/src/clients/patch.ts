import fastJsonPatch from 'fast-json-patch';
import type { JsonPatchDocument } from '@tessera/sdk';
import { invalidRequest } from '../errors/catalog.js';
import { BODY_LIMIT } from '../lib/limits.js';
import { MAX_JSON_DEPTH } from '../lib/text.js';

/*
 * RFC 6902 on a client document. A JSON Pointer is a lookup keyed by request
 * input: on plain objects `/toString` or `/metadata/constructor` find
 * inherited members (fast-json-patch would `replace` a key that does not
 * exist, or `copy` Object itself into a field). So the patch runs on a copy
 * whose objects have no prototype, and every `from` must name a member the
 * document really has (§4.4, §4.5: "The from location MUST exist").
 *
 * `copy` (§4.5) duplicates a subtree, so each one can double the document: a
 * 1.2 KB patch of 20 copies built 15.7 MB. The patch is bounded twice: at
 * most MAX_PATCH_OPERATIONS operations, and after every operation the
 * document must still be what a request body may be (BODY_LIMIT serialised,
 * MAX_JSON_DEPTH levels deep), so no step grows more than one doubling past
 * those bounds before it is refused.
 */

/**
 * A client document has about 40 members; a patch that sets, tests and moves
 * each of them still fits twice over. Each operation costs a serialisation of
 * at most BODY_LIMIT, so 100 operations bound one request at about 10 MB of
 * work whatever they are.
 */
export const MAX_PATCH_OPERATIONS = 100;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A deep copy with null-prototype objects: only own members can be found by a pointer. */
function bare(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(bare);
  if (value === null || typeof value !== 'object') return value;
  const out = Object.create(null) as Record<string, unknown>;
  for (const [key, inner] of Object.entries(value)) out[key] = bare(inner);
  return out;
}

/** RFC 6901 §4: whether the pointer names a member the document has (own properties, array indexes). */
function exists(document: unknown, pointer: string): boolean {
  if (pointer === '') return true;
  if (!pointer.startsWith('/')) return false;
  let node: unknown = document;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      if (!/^(0|[1-9]\d*)$/.test(key) || Number(key) >= node.length) return false;
      node = node[Number(key)];
    } else if (node !== null && typeof node === 'object' && Object.hasOwn(node, key)) {
      node = (node as Record<string, unknown>)[key];
    } else {
      return false;
    }
  }
  return true;
}

/** How deep `value` nests (a scalar is 0), walked without recursion. */
function depthOf(value: unknown): number {
  let deepest = 0;
  const pending: Array<[unknown, number]> = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, depth] = next;
    if (item === null || typeof item !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    for (const member of Object.values(item)) pending.push([member, depth + 1]);
  }
  return deepest;
}

/** Refuses a document that could not have been sent as a request body (operation `index` made it so). */
function assertBounded(document: unknown, index: number): void {
  // Depth first: JSON.stringify recurses, and the depth walk does not.
  if (depthOf(document) > MAX_JSON_DEPTH) {
    throw invalidRequest(`The JSON Patch cannot be applied: operation ${index}: the document would nest more than ${MAX_JSON_DEPTH} levels deep.`);
  }
  if (Buffer.byteLength(JSON.stringify(document)) > BODY_LIMIT) {
    throw invalidRequest(`The JSON Patch cannot be applied: operation ${index}: the document would be larger than ${BODY_LIMIT} bytes.`);
  }
}

/** Applies `patch` to `document`; an operation that cannot apply is a 400 naming it. */
export function applyClientPatch(document: unknown, patch: JsonPatchDocument): Json {
  if (patch.length > MAX_PATCH_OPERATIONS) {
    throw invalidRequest(`The JSON Patch has ${patch.length} operations; at most ${MAX_PATCH_OPERATIONS} are accepted.`);
  }
  let current = bare(document);
  patch.forEach((op, index) => {
    if (op.from !== undefined && !exists(current, op.from)) {
      throw invalidRequest(`The JSON Patch cannot be applied: operation ${index}: "from" (${op.from}) does not exist (RFC 6902 §4.4).`);
    }
    try {
      // Values are made bare too: a later pointer may walk into what an earlier operation added.
      const bareOp = { ...op, value: bare(op.value) } as fastJsonPatch.Operation;
      current = fastJsonPatch.applyOperation(current, bareOp, true, true, true, index).newDocument;
    } catch (err) {
      throw invalidRequest(`The JSON Patch cannot be applied: operation ${index}: ${(err as Error).message.split('\n')[0]}`);
    }
    assertBounded(current, index);
  });
  // Back to plain JSON values for the contract schema.
  return JSON.parse(JSON.stringify(current)) as Json;
}
