import type { Knex } from 'knex';

/**
 * Leak reports (issue 18): one row per token reported as leaked, whoever
 * reported it (the admin API, `tessera scan --report`, or a signed public
 * report from a third-party scanner) and whatever the outcome. The token
 * itself is never stored: `token_hash` is its SHA-256 in hex, the value
 * GitHub's secret-scanning partner programme answers with, so a report can
 * be matched with the sender's alert without keeping anything presentable.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('oauth2_leak_reports', (t) => {
    // Time-ordered (lib/crypto.ts timeOrderedId): newest first is id order, and the page token.
    t.string('id', 64).primary();
    t.bigInteger('reported_at').notNullable();
    // admin | public
    t.string('channel', 16).notNullable();
    // Who sent a public report (a configured sender id); null on the admin API.
    t.string('sender', 64).nullable();
    // access_token | refresh_token | authorization_code | device_code; null when it is not one of our formats.
    t.string('token_kind', 24).nullable();
    t.string('token_hash', 64).notNullable();
    // revoked | already_inactive | not_ours
    t.string('outcome', 24).notNullable();
    // Where the token was seen (a URL) and what kind of place (`source`), as the reporter said.
    t.text('url').nullable();
    t.string('source', 255).nullable();
    // Whose token it was: null for not_ours.
    t.string('client_id', 255).nullable();
    t.string('subject', 255).nullable();
    t.string('family_id', 64).nullable();
    // Tokens of the grant revoked by this report.
    t.integer('revoked_count').notNullable().defaultTo(0);
    t.index(['client_id'], 'oauth2_leak_reports_client_idx');
    t.index(['token_hash'], 'oauth2_leak_reports_hash_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('oauth2_leak_reports');
}
