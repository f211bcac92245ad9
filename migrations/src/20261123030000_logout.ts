import type { Knex } from 'knex';

/** RP-initiated logout requests (OpenID Connect RP-Initiated Logout 1.0), with hashed challenge and verifier. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('oauth2_logouts', (t) => {
    t.string('id', 64).primary();
    // requested → handled (accepted; verifier minted) → done
    t.string('state', 16).notNullable();
    t.string('challenge', 64).notNullable().unique();
    t.string('verifier', 64).nullable().unique();
    t.string('browser', 64).notNullable();
    // JSON: subject, sid, client_id, post_logout_redirect_uri, state, rp_initiated, request_url.
    t.text('request').notNullable();
    t.bigInteger('requested_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.index(['expires_at'], 'oauth2_logouts_expires_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('oauth2_logouts');
}
