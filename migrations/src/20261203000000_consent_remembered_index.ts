import type { Knex } from 'knex';

/**
 * Remembered consents by subject and client, newest first (issue 20).
 *
 * Every flow writes a consent row, and every login looks for the subject's
 * latest remembered one for the client. The (subject, client_id) index made
 * that lookup read every row of the pair: a user who signs in to one client
 * daily, or a bench user, costs one row more per sign-in, forever. This
 * partial index holds only the rows the lookup can answer with (decisions the
 * user made with remember set, not revoked), ordered by handled_at, so the
 * lookup reads from its newest end. Both databases take the predicate as
 * written; the lookups (storage/consent-sql.ts) repeat it word for word, as
 * SQLite's planner needs to see the index's WHERE terms in the query.
 */
export async function up(knex: Knex): Promise<void> {
  const predicate = knex.client.config.client === 'pg' ? 'remember = true and revoked = false and skip is null' : 'remember = 1 and revoked = 0 and skip is null';
  await knex.raw(`create index oauth2_consents_remembered_idx on oauth2_consents (subject, client_id, handled_at) where ${predicate}`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index oauth2_consents_remembered_idx');
}
