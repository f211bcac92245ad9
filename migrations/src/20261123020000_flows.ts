import type { Knex } from 'knex';

/**
 * Login/consent flows, remembered logins (authentication sessions) and
 * remembered consents. Challenges, verifiers and cookie secrets are stored as
 * SHA-256 hashes: the values themselves travel only in URLs and cookies.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('oauth2_flows', (t) => {
    // Also the consent request id and the family id of every token the flow yields.
    t.string('id', 64).primary();
    // login_requested → login_handled → consent_requested → consent_handled → done (flows/flow.ts)
    t.string('state', 24).notNullable();
    t.string('client_id', 255).notNullable();
    t.string('login_challenge', 64).notNullable().unique();
    t.string('login_verifier', 64).nullable().unique();
    t.string('consent_challenge', 64).nullable().unique();
    t.string('consent_verifier', 64).nullable().unique();
    // Hash of the browser-binding cookie of the browser that started the flow.
    t.string('browser', 64).notNullable();
    // The authorization request, login and consent results: JSON.
    t.text('request').notNullable();
    t.text('login').nullable();
    t.text('consent').nullable();
    t.bigInteger('requested_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.index(['expires_at'], 'oauth2_flows_expires_idx');
  });

  await knex.schema.createTable('oauth2_login_sessions', (t) => {
    // The `sid` of ID tokens: public. The cookie carries a separate secret.
    t.string('id', 64).primary();
    t.string('secret_hash', 64).notNullable().unique();
    t.string('subject', 255).notNullable();
    t.bigInteger('authenticated_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.index(['subject'], 'oauth2_login_sessions_subject_idx');
  });

  await knex.schema.createTable('oauth2_consents', (t) => {
    // = the flow id (Hydra's consent_request_id).
    t.string('id', 64).primary();
    t.string('subject', 255).notNullable();
    t.string('client_id', 255).notNullable();
    t.string('login_session_id', 64).nullable();
    // JSON: grant_scope, grant_access_token_audience, session, context.
    t.text('grant').notNullable();
    t.boolean('remember').notNullable();
    // NULL: forever (remember_for 0).
    t.bigInteger('remember_until').nullable();
    t.bigInteger('handled_at').notNullable();
    t.boolean('revoked').notNullable().defaultTo(false);
    t.index(['subject', 'client_id'], 'oauth2_consents_subject_client_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('oauth2_consents');
  await knex.schema.dropTable('oauth2_login_sessions');
  await knex.schema.dropTable('oauth2_flows');
}
