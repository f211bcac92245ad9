import type { Knex } from 'knex';

/**
 * Clients and JSON Web Key sets. Dialect-neutral: timestamps are epoch
 * milliseconds in BIGINT columns, documents are JSON text.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('clients', (t) => {
    t.string('id', 255).primary();
    t.string('client_name', 1024).notNullable().defaultTo('');
    t.string('owner', 1024).notNullable().defaultTo('');
    // `<scheme>$…` (see server/src/clients/secret.ts); NULL for public clients.
    t.text('secret_hash').nullable();
    // The rest of the OAuth2Client, as JSON text.
    t.text('document').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['client_name'], 'clients_client_name_idx');
    t.index(['owner'], 'clients_owner_idx');
  });

  // A row here means "this set exists"; inserting it first is how concurrent
  // processes agree on who creates a set's first key (see KeyStore.ensureSet).
  await knex.schema.createTable('jwk_sets', (t) => {
    t.string('id', 255).primary();
    t.bigInteger('created_at').notNullable();
  });

  await knex.schema.createTable('jwks', (t) => {
    t.increments('pk').primary();
    t.string('set_id', 255).notNullable().references('id').inTable('jwk_sets').onDelete('CASCADE');
    t.string('kid', 255).notNullable();
    t.string('alg', 32).notNullable();
    t.string('use', 8).notNullable();
    // Public members only (RFC 7517 §4, RFC 7518 §6): safe to publish.
    t.text('public_jwk').notNullable();
    // The whole private JWK, AES-256-GCM encrypted with a key derived from secrets.system.
    t.text('private_jwk').nullable();
    t.bigInteger('created_at').notNullable();
    t.unique(['set_id', 'kid'], { indexName: 'jwks_set_kid_uq' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('jwks');
  await knex.schema.dropTable('jwk_sets');
  await knex.schema.dropTable('clients');
}
