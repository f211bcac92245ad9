import type { Knex } from 'knex';

/**
 * The device authorization grant (RFC 8628).
 *
 * `oauth2_device_requests`: one row per POST /oauth2/device/auth. The device
 * code is kept as its lookup key (issue time + HMAC signature, tokens/hmac.ts)
 * and the user code as an HMAC under a key derived from secrets.system
 * (oauth2/device/user-code.ts): a database leak reveals neither. The user
 * code column is unique, so no two stored requests (live or not yet swept by
 * the janitor) share a code. Once the user approves, the grant itself lives
 * in oauth2_tokens (kind `device_code`, same signature) with its consent row,
 * like an authorization code: revocation, logout and the sessions list reach
 * it from there.
 *
 * `oauth2_device_challenges`: the browser's step before the user code is
 * known (GET /oauth2/device/verify → PUT …/device/accept → device_verifier),
 * hashed like every other challenge; `failures` counts wrong user codes for
 * the brute-force throttle, `network` is the caller's address (IPv6 /64).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('oauth2_device_requests', (t) => {
    // Also the id of the flow, consent and token family the request ends in.
    t.string('id', 64).primary();
    t.string('client_id', 255).notNullable();
    t.string('device_code', 64).notNullable().unique();
    t.string('user_code', 64).notNullable().unique();
    // pending → claimed (user code accepted) → denied; approval is the device_code token row.
    t.string('state', 16).notNullable();
    t.text('scope').notNullable().defaultTo('');
    t.text('audience').notNullable().defaultTo('[]');
    // JSON: the rejection the login or consent app chose, for the device's access_denied.
    t.text('rejection').nullable();
    // Seconds between polls (RFC 8628 §3.5: grows by 5 on each slow_down).
    t.integer('poll_interval').notNullable();
    t.bigInteger('last_polled_at').nullable();
    t.bigInteger('requested_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.index(['expires_at'], 'oauth2_device_requests_expires_idx');
  });

  await knex.schema.createTable('oauth2_device_challenges', (t) => {
    t.string('challenge', 64).primary();
    t.string('verifier', 64).nullable().unique();
    // device_requested → device_handled → done (flows/flow.ts)
    t.string('state', 24).notNullable();
    t.string('browser', 64).notNullable();
    t.string('network', 64).notNullable();
    t.integer('failures').notNullable().defaultTo(0);
    t.string('device_request_id', 64).nullable();
    t.bigInteger('requested_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.index(['expires_at'], 'oauth2_device_challenges_expires_idx');
    t.index(['network', 'requested_at'], 'oauth2_device_challenges_network_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('oauth2_device_challenges');
  await knex.schema.dropTable('oauth2_device_requests');
}
