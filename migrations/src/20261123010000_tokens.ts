import type { Knex } from 'knex';

/**
 * Access tokens, refresh tokens and authorization codes, keyed by their HMAC
 * signature (never the token itself). One table: they share every column,
 * and a family (`family_id`: every token descending from one grant) is
 * revoked with one UPDATE.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('oauth2_tokens', (t) => {
    t.string('signature', 64).primary();
    // access_token | refresh_token | authorization_code
    t.string('kind', 24).notNullable();
    t.string('family_id', 64).notNullable();
    t.string('client_id', 255).notNullable();
    t.string('subject', 255).notNullable().defaultTo('');
    // Space-separated, as on the wire.
    t.text('scope').notNullable().defaultTo('');
    // JSON array of strings.
    t.text('audience').notNullable().defaultTo('[]');
    // JSON: consent session claims and whatever a later grant step needs.
    t.text('session').notNullable().defaultTo('{}');
    t.bigInteger('issued_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    // Set once: when a code was exchanged or a refresh token rotated.
    t.bigInteger('used_at').nullable();
    t.boolean('revoked').notNullable().defaultTo(false);
    t.index(['family_id'], 'oauth2_tokens_family_idx');
    t.index(['expires_at'], 'oauth2_tokens_expires_idx');
    t.index(['client_id'], 'oauth2_tokens_client_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('oauth2_tokens');
}
