import type { Knex } from 'knex';

/** A remembered login keeps how the user authenticated, so skipped logins carry the same acr/amr. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('oauth2_login_sessions', (t) => {
    t.string('acr', 255).notNullable().defaultTo('');
    // JSON array of strings.
    t.text('amr').notNullable().defaultTo('[]');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('oauth2_login_sessions', (t) => {
    t.dropColumn('amr');
    t.dropColumn('acr');
  });
}
