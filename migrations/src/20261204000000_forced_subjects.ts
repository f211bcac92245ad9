import type { Knex } from 'knex';

/**
 * The subjects login apps forced (`force_subject_identifier` at login
 * accept) per pairwise client: Hydra's
 * hydra_oauth2_obfuscated_authentication_session. An ID token carries the
 * forced `sub`, which cannot be computed back to the user, so an
 * id_token_hint (prompt=none, RP-initiated logout) naming it is matched
 * through this row. One row per client and user; a later forced login
 * replaces it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('oauth2_forced_subjects', (t) => {
    t.string('client_id', 255).notNullable();
    t.string('subject', 255).notNullable();
    t.string('forced', 255).notNullable();
    t.primary(['client_id', 'subject']);
    t.index(['client_id', 'forced'], 'oauth2_forced_subjects_forced_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('oauth2_forced_subjects');
}
