import type { Client } from '../clients/client.js';
import type { LifespanField } from '@tessera/sdk';
import { parseDuration } from '../lib/duration.js';

/** A client's `*_lifespan` override in milliseconds, else the configured default (Hydra's precedence). */
export function lifespan(client: Client, field: LifespanField, fallbackMs: number): number {
  const value = client[field];
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  return ms !== undefined && ms > 0 ? ms : fallbackMs;
}
