import type { Knex } from 'knex';
import type { JanitorStore } from '../ports.js';

/**
 * Batched deletes: `DELETE … WHERE key IN (SELECT key … LIMIT n)`, which both
 * SQLite and PostgreSQL run as one short statement, so no batch holds a lock
 * long enough to stall serving.
 */
function batchDelete(db: Knex, table: string, key: string, where: (q: Knex.QueryBuilder) => void) {
  return async (batchSize: number): Promise<number> => {
    const victims = db(table).select(key).limit(batchSize);
    where(victims);
    return db(table).whereIn(key, victims).delete();
  };
}

export function createJanitorStore(db: Knex): JanitorStore {
  return {
    // Two index-friendly passes rather than one OR (which scans the table every batch).
    // Used codes and rotated refresh tokens stay until they expire: reuse detection needs them.
    deleteTokens: async (cutoff, batchSize) => {
      const expired = await batchDelete(db, 'oauth2_tokens', 'signature', (q) => q.where('expires_at', '<', cutoff))(batchSize);
      if (expired > 0) return expired;
      // `revoked` verbatim, as in the partial index's predicate (migration token_indexes).
      return batchDelete(db, 'oauth2_tokens', 'signature', (q) => q.whereRaw('revoked').andWhere('issued_at', '<', cutoff))(batchSize);
    },
    deleteFlows: async (cutoff, batchSize) =>
      (await batchDelete(db, 'oauth2_flows', 'id', (q) => q.where('expires_at', '<', cutoff))(batchSize)) +
      (await batchDelete(db, 'oauth2_logouts', 'id', (q) => q.where('expires_at', '<', cutoff))(batchSize)),
    deleteLoginSessions: (cutoff, batchSize) =>
      batchDelete(db, 'oauth2_login_sessions', 'id', (q) => q.where('expires_at', '<', cutoff))(batchSize),
    // Only revoked ones: an unrevoked consent may still have live tokens, and revoking
    // it later (DELETE …/sessions/consent) must find it to revoke them.
    deleteConsents: (cutoff, batchSize) =>
      batchDelete(db, 'oauth2_consents', 'id', (q) => q.where('revoked', true).andWhere('handled_at', '<', cutoff))(batchSize),
    // RFC 8628: an expired device request can no longer be polled; an approved one's grant is its token row.
    deleteDeviceRequests: async (cutoff, batchSize) =>
      (await batchDelete(db, 'oauth2_device_requests', 'id', (q) => q.where('expires_at', '<', cutoff))(batchSize)) +
      (await batchDelete(db, 'oauth2_device_challenges', 'challenge', (q) => q.where('expires_at', '<', cutoff))(batchSize)),
  };
}
