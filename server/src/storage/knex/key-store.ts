import type { Knex } from 'knex';
import type { KeyStore, SealedKey, StoredKey } from '../ports.js';
import { keyToRow, rowToKey, type KeyRow } from './rows.js';
import { isUniqueViolation } from './errors.js';

/**
 * Inserting the set row is the first statement of every write transaction
 * here: it takes SQLite's write lock at once (no read→write upgrade that could
 * fail with SQLITE_BUSY) and, on PostgreSQL, makes a concurrent creator of the
 * same set wait on the primary key until the winner commits.
 */
async function claimSet(trx: Knex.Transaction, setId: string, now: number): Promise<boolean> {
  const inserted = await trx('jwk_sets').insert({ id: setId, created_at: now }).onConflict('id').ignore().returning('id');
  return inserted.length > 0;
}

const newestFirst = (q: Knex.QueryBuilder) => q.orderBy('created_at', 'desc').orderBy('pk', 'desc');

export function createKeyStore(db: Knex, dialect: 'sqlite' | 'postgres'): KeyStore {
  const keys = (k: Knex | Knex.Transaction = db) => k<KeyRow>('jwks');

  return {
    async ensureSet(firstKey: StoredKey): Promise<boolean> {
      return db.transaction(async (trx) => {
        if (!(await claimSet(trx, firstKey.setId, firstKey.createdAt))) return false;
        await keys(trx).insert(keyToRow(firstKey));
        return true;
      });
    },

    async ensureKey(key: StoredKey): Promise<boolean> {
      return db.transaction(async (trx) => {
        await claimSet(trx, key.setId, key.createdAt);
        // SQLite: the claim above took the write lock. PostgreSQL: an existing set row is not
        // locked by ON CONFLICT DO NOTHING, so lock it; concurrent callers queue here.
        if (dialect === 'postgres') await trx('jwk_sets').where('id', key.setId).forUpdate().first('id');
        const present = await keys(trx).where({ set_id: key.setId, alg: key.alg, use: 'sig' }).whereNotNull('private_jwk').first('pk');
        if (present) return false;
        await keys(trx).insert(keyToRow(key));
        return true;
      });
    },

    async addKey(key: StoredKey): Promise<boolean> {
      try {
        await db.transaction(async (trx) => {
          await claimSet(trx, key.setId, key.createdAt);
          await keys(trx).insert(keyToRow(key));
        });
        return true;
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
    },

    async replaceSet(setId: string, replacement: readonly StoredKey[]): Promise<void> {
      await db.transaction(async (trx) => {
        await claimSet(trx, setId, Date.now());
        await keys(trx).where('set_id', setId).delete();
        if (replacement.length > 0) await keys(trx).insert(replacement.map(keyToRow));
        else await trx('jwk_sets').where('id', setId).delete();
      });
    },

    async putKey(key: StoredKey): Promise<void> {
      await db.transaction(async (trx) => {
        await claimSet(trx, key.setId, key.createdAt);
        await keys(trx).where({ set_id: key.setId, kid: key.kid }).delete();
        await keys(trx).insert(keyToRow(key));
      });
    },

    async listSet(setId: string): Promise<StoredKey[]> {
      const rows: KeyRow[] = await newestFirst(keys().where('set_id', setId));
      return rows.map(rowToKey);
    },

    async getKey(setId: string, kid: string): Promise<StoredKey | undefined> {
      const row = await keys().where({ set_id: setId, kid }).first();
      return row ? rowToKey(row) : undefined;
    },

    async listSets(setIds: readonly string[]): Promise<StoredKey[]> {
      if (setIds.length === 0) return [];
      const rows: KeyRow[] = await newestFirst(keys().whereIn('set_id', [...setIds]));
      return rows.map(rowToKey);
    },

    async deleteSet(setId: string): Promise<boolean> {
      // jwks rows go with it (ON DELETE CASCADE).
      return (await db('jwk_sets').where('id', setId).delete()) > 0;
    },

    async deleteKey(setId: string, kid: string): Promise<boolean> {
      return db.transaction(async (trx) => {
        const deleted = await keys(trx).where({ set_id: setId, kid }).delete();
        if (deleted === 0) return false;
        const left = await keys(trx).where('set_id', setId).first('pk');
        if (!left) await trx('jwk_sets').where('id', setId).delete();
        return true;
      });
    },

    async listSealed(after: number, limit: number): Promise<SealedKey[]> {
      const rows: Array<{ pk: number | string; set_id: string; kid: string; private_jwk: string }> = await keys()
        .whereNotNull('private_jwk')
        .andWhere('pk', '>', after)
        .orderBy('pk')
        .limit(limit)
        .select('pk', 'set_id', 'kid', 'private_jwk');
      return rows.map((r) => ({ ref: Number(r.pk), setId: r.set_id, kid: r.kid, sealed: r.private_jwk }));
    },

    async swapSealed(ref: number, expected: string, next: string): Promise<boolean> {
      // One conditional UPDATE: a concurrent PUT or DELETE of the key wins, and is never undone.
      return (await db('jwks').where('pk', ref).andWhere('private_jwk', expected).update({ private_jwk: next })) === 1;
    },
  };
}
