import type { Knex } from 'knex';

/**
 * Client authentication and registration (issue 16):
 * - `clients.previous_secret_hash` / `previous_secret_expires_at`: the secret
 *   a rotation replaced, valid until the grace period ends (an extension:
 *   POST /admin/clients/{id}/secret);
 * - `clients.registration_token_hash`: the SHA-256 of the RFC 7592
 *   registration access token of a dynamically registered client (never the
 *   token itself);
 * - `oauth2_jti`: the `jti` of every JWT accepted once (client assertions,
 *   RFC 7523 §3 item 7; jwt-bearer grants), kept until its `exp`; the primary
 *   key makes "used once" a unique insert, correct across processes;
 * - `trusted_jwt_issuers`: Hydra's trust relationships for the jwt-bearer
 *   grant (oauth2/trust), with the issuer's public key inline.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('clients', (t) => {
    t.text('previous_secret_hash').nullable();
    t.bigInteger('previous_secret_expires_at').nullable();
    t.string('registration_token_hash', 128).nullable();
  });
  await knex.schema.createTable('oauth2_jti', (t) => {
    // base64url SHA-256 of "<kind>\0<issuer>\0<jti>".
    t.string('key', 64).primary();
    t.bigInteger('expires_at').notNullable();
    t.index(['expires_at'], 'oauth2_jti_expires_idx');
  });
  await knex.schema.createTable('trusted_jwt_issuers', (t) => {
    t.string('id', 36).primary();
    t.string('issuer', 255).notNullable();
    // '' with allow_any_subject.
    t.string('subject', 255).notNullable().defaultTo('');
    t.boolean('allow_any_subject').notNullable().defaultTo(false);
    // JSON array of scope strings.
    t.text('scope').notNullable();
    t.string('key_set', 255).notNullable();
    t.string('key_id', 255).notNullable();
    // Public members only.
    t.text('public_jwk').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('created_at').notNullable();
    t.unique(['issuer', 'subject', 'key_id'], { indexName: 'trusted_jwt_issuers_uq' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('trusted_jwt_issuers');
  await knex.schema.dropTable('oauth2_jti');
  await knex.schema.alterTable('clients', (t) => {
    t.dropColumn('registration_token_hash');
    t.dropColumn('previous_secret_expires_at');
    t.dropColumn('previous_secret_hash');
  });
}
