import type { Knex } from 'knex';

/**
 * Pushed authorization requests (RFC 9126). One row per POST /oauth2/par: the
 * validated parameters, until /oauth2/auth takes them once with the
 * `request_uri`. The id is the SHA-256 of the request_uri's random part, so a
 * database leak yields no usable request_uri.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('oauth2_pushed_requests', (t) => {
    t.string('id', 64).primary();
    t.string('client_id', 255).notNullable();
    // JSON object of the pushed parameters, as the client sent them.
    t.text('params').notNullable();
    t.bigInteger('expires_at').notNullable();
    // Set once, by the /oauth2/auth request that took it (RFC 9126 §4: one-time use).
    t.bigInteger('used_at').nullable();
    t.index(['expires_at'], 'oauth2_pushed_requests_expires_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('oauth2_pushed_requests');
}
