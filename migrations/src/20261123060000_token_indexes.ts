import type { Knex } from 'knex';

/**
 * Token indexes shaped by the queries that use them (the benchmark found both):
 *
 * - Refresh rotation revokes the family's live access tokens
 *   (`family_id = ? AND kind = 'access_token' AND revoked = false`). With an
 *   index on family_id alone that visited every token the family ever had, so
 *   each refresh cost more than the one before (O(n) per refresh, a long-lived
 *   client's n-th refresh touching 2n rows). (family_id, kind, revoked) goes
 *   straight to the live ones.
 * - The janitor's second pass finds revoked tokens by issue time. A partial
 *   index over revoked rows only serves it as well, and an insert (never
 *   revoked) no longer writes to it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('oauth2_tokens', (t) => {
    t.dropIndex(['family_id'], 'oauth2_tokens_family_idx');
    t.dropIndex(['revoked', 'issued_at'], 'oauth2_tokens_revoked_issued_idx');
    t.index(['family_id', 'kind', 'revoked'], 'oauth2_tokens_family_live_idx');
    // `WHERE revoked`, verbatim in the janitor's query too: both planners then see the index applies.
    t.index(['issued_at'], 'oauth2_tokens_revoked_idx', { predicate: knex.whereRaw('revoked') });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('oauth2_tokens', (t) => {
    t.dropIndex(['family_id', 'kind', 'revoked'], 'oauth2_tokens_family_live_idx');
    t.dropIndex(['issued_at'], 'oauth2_tokens_revoked_idx');
    t.index(['family_id'], 'oauth2_tokens_family_idx');
    t.index(['revoked', 'issued_at'], 'oauth2_tokens_revoked_issued_idx');
  });
}
