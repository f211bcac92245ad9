import type { JtiStore } from '../ports.js';
import type { PgDirect, Statement } from './direct.js';

/**
 * `jti`s used once (client assertions, jwt-bearer grants, DPoP proofs), as
 * the knex store decides (storage/knex/jti-store.ts) but in one named
 * statement instead of an INSERT that may fail and an UPDATE. Of concurrent
 * callers with one key, one inserts; the others wait for its row and then
 * find it live (the WHERE of DO UPDATE sees the committed row), so exactly
 * one gets a row count of 1.
 */
const USE: Statement = {
  name: 'tessera_jti_use',
  text: 'insert into oauth2_jti (key, expires_at) values ($1, $2) on conflict (key) do update set expires_at = excluded.expires_at where oauth2_jti.expires_at <= $3',
};

export function createPgJtiStore(direct: PgDirect): JtiStore {
  return {
    async use(key, expiresAt, now) {
      return ((await direct.query(USE, [key, expiresAt, now])).rowCount ?? 0) > 0;
    },
  };
}
