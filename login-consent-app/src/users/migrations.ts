import type { Knex } from 'knex';

/*
 * The app's schema, kept in code so the compiled app needs no migrations
 * folder. Dialect-neutral knex; timestamps are milliseconds since the epoch.
 */

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const MIGRATIONS: ReadonlyArray<readonly [string, Migration]> = [
  [
    '20261123000000_users',
    {
      async up(knex) {
        await knex.schema.createTable('users', (t) => {
          t.string('id', 64).primary();
          t.string('email', 254).notNullable().unique();
          t.string('name', 255).notNullable().defaultTo('');
          t.string('username', 255).notNullable();
          t.boolean('email_verified').notNullable().defaultTo(false);
          t.boolean('disabled').notNullable().defaultTo(false);
          t.text('password_hash').notNullable();
          t.bigInteger('created_at').notNullable();
          t.bigInteger('updated_at').notNullable();
        });
      },
      async down(knex) {
        await knex.schema.dropTable('users');
      },
    },
  ],
  [
    '20261123000001_login_throttle',
    {
      async up(knex) {
        // One row per throttled key ("account:<email>" or "ip:<address>").
        await knex.schema.createTable('login_throttle', (t) => {
          t.string('key', 300).primary();
          t.integer('failures').notNullable();
          t.bigInteger('window_started_at').notNullable();
          t.bigInteger('locked_until').notNullable().defaultTo(0);
        });
      },
      async down(knex) {
        await knex.schema.dropTable('login_throttle');
      },
    },
  ],
];

export const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: async () => MIGRATIONS.map(([, migration]) => migration),
  getMigrationName: (migration) => MIGRATIONS.find(([, m]) => m === migration)?.[0] ?? 'unknown',
  getMigration: async (migration) => migration,
};
