/*
 * oidc-provider's own in-memory adapter, imported directly so that it can be
 * given a store large enough for a benchmark (its default LRU keeps about
 * 1,000 entries, so tokens issued a second earlier would read as inactive).
 */
declare module 'oidc-provider/lib/adapters/memory_adapter.js' {
  import type { Adapter } from 'oidc-provider';
  const MemoryAdapter: new (model: string, store: unknown, clockTolerance?: number) => Adapter;
  export default MemoryAdapter;
}

declare module 'oidc-provider/lib/helpers/lru.js' {
  export default class LRU {
    constructor(options: { maxSize: number });
  }
}
