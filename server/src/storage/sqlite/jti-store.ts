import type { JtiStore } from '../ports.js';
import type { SqliteDirect } from './direct.js';

/**
 * `jti`s used once (client assertions, jwt-bearer grants, DPoP proofs), as
 * the knex store decides (storage/knex/jti-store.ts) but in one statement,
 * group-committed with the turn's other writes: a DPoP proof or a
 * private_key_jwt assertion comes with every token request. The upsert
 * inserts a new key, or takes over an expired one; a live key changes
 * nothing, so `changes` is 0.
 */
const USE = 'insert into oauth2_jti ("key", expires_at) values (?, ?) on conflict ("key") do update set expires_at = excluded.expires_at where oauth2_jti.expires_at <= ?';

export function createSqliteJtiStore(direct: SqliteDirect): JtiStore {
  return {
    use(key, expiresAt, now) {
      return direct.write((db) => db.prepare(USE).run(key, expiresAt, now).changes > 0);
    },
  };
}
