import type { Knex } from 'knex';
import type { JtiStore } from '../ports.js';
import { isUniqueViolation } from './errors.js';

/**
 * "Used once" is a unique insert: the primary key decides between concurrent
 * callers on any process. A key whose row has expired is taken over by a
 * conditional UPDATE, whose row count decides in the same way.
 */
export function createJtiStore(db: Knex): JtiStore {
  return {
    async use(key, expiresAt, now) {
      try {
        await db('oauth2_jti').insert({ key, expires_at: expiresAt });
        return true;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
      const taken = await db('oauth2_jti').where('key', key).andWhere('expires_at', '<=', now).update({ expires_at: expiresAt });
      return taken > 0;
    },
  };
}
