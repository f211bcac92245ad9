import type { Knex } from 'knex';

/**
 * Every grant belongs to a consent record (DESIGN.md, Tokens). Until now a
 * flow whose consent was skipped (a remembered consent, or a client with
 * `skip_consent`) wrote no consent row, so its token family escaped consent
 * revocation and logout. From here on each finished flow writes one, marked
 * with why the consent app was not asked (`skip`) and, for a remembered
 * consent, which one it re-used (`origin_id`): revoking that one revokes
 * the flows that leant on it.
 *
 * The flow also keeps its login challenge, sealed (AES-GCM under a key
 * derived from secrets.system), so the consent request can name it as Hydra
 * does; the lookup column stays a hash.
 *
 * Token families issued before this migration without a consent row get one
 * now (backfill below), so they are reachable too.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('oauth2_consents', (t) => {
    // NULL: the user decided in the consent app; 'remembered': an earlier consent was re-used; 'client': the client's skip_consent.
    t.string('skip', 16).nullable();
    // With skip = 'remembered': the consent re-used.
    t.string('origin_id', 64).nullable();
    t.index(['origin_id'], 'oauth2_consents_origin_idx');
    // Logout reads a session's participants by login_session_id.
    t.index(['login_session_id'], 'oauth2_consents_login_session_idx');
  });
  await knex.schema.alterTable('oauth2_flows', (t) => {
    t.text('login_challenge_sealed').nullable();
  });
  await backfill(knex);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('oauth2_flows', (t) => {
    t.dropColumn('login_challenge_sealed');
  });
  // Rows written for skipped consents go with the columns that describe them.
  await knex('oauth2_consents').whereNotNull('skip').delete();
  await knex.schema.alterTable('oauth2_consents', (t) => {
    t.dropIndex(['login_session_id'], 'oauth2_consents_login_session_idx');
    t.dropIndex(['origin_id'], 'oauth2_consents_origin_idx');
  });
  await knex.schema.alterTable('oauth2_consents', (t) => {
    t.dropColumn('origin_id');
    t.dropColumn('skip');
  });
}

interface TokenRow {
  family_id: string;
  kind: string;
  client_id: string;
  subject: string;
  scope: string;
  audience: string;
  session: string;
  issued_at: number | string;
  revoked: boolean | number;
}

interface Session {
  ext?: unknown;
  idToken?: unknown;
  acr?: string;
  amr?: string[];
  sid?: string;
}

const BATCH = 200;

/**
 * Families of flows (their tokens carry a session; client_credentials tokens
 * an empty one) without a consent row. Each batch gives every family it finds
 * a row, so the next one finds others; the loop ends when none is left.
 */
async function backfill(knex: Knex): Promise<void> {
  for (;;) {
    const families = (
      await knex('oauth2_tokens as t')
        .distinct('t.family_id')
        .whereNot('t.session', '{}')
        .whereNotExists(knex('oauth2_consents as c').select('c.id').whereRaw('c.id = t.family_id'))
        .limit(BATCH)
    ).map((r: { family_id: string }) => r.family_id);
    if (families.length === 0) return;
    const tokens = (await knex('oauth2_tokens').whereIn('family_id', families).orderBy('issued_at', 'asc')) as TokenRow[];
    for (const family of families) {
      const rows = tokens.filter((r) => r.family_id === family);
      await knex('oauth2_consents').insert(await consentFor(knex, rows));
    }
  }
}

/** The consent row a family would have had: what its grant carries, skipped for the reason most likely then. */
async function consentFor(knex: Knex, rows: readonly TokenRow[]): Promise<Record<string, unknown>> {
  // The refresh token (or else the newest token) carries the whole grant; the first token dates it.
  const first = rows[0] as TokenRow;
  const grant = rows.filter((r) => r.kind === 'refresh_token').pop() ?? (rows[rows.length - 1] as TokenRow);
  const session = JSON.parse(grant.session) as Session;
  const issuedAt = Number(first.issued_at);
  const client = (await knex('clients').where('id', grant.client_id).first('document')) as { document: string } | undefined;
  const skipConsent = client !== undefined && (JSON.parse(client.document) as { skip_consent?: unknown }).skip_consent === true;
  const origin = skipConsent
    ? undefined
    : ((await knex('oauth2_consents')
        .where({ subject: grant.subject, client_id: grant.client_id, remember: true })
        .whereNull('skip')
        .where('handled_at', '<=', issuedAt)
        .orderBy('handled_at', 'desc')
        .first('id')) as { id: string } | undefined);
  const scope = grant.scope === '' ? [] : grant.scope.split(' ');
  return {
    id: grant.family_id,
    subject: grant.subject,
    client_id: grant.client_id,
    login_session_id: session.sid ?? null,
    grant: JSON.stringify({
      grantScope: scope,
      grantAudience: JSON.parse(grant.audience) as unknown,
      accessTokenClaims: session.ext ?? {},
      idTokenClaims: session.idToken ?? {},
      requestedScope: scope,
      requestedAudience: JSON.parse(grant.audience) as unknown,
      acr: session.acr ?? '',
      amr: session.amr ?? [],
    }),
    remember: false,
    remember_until: null,
    handled_at: issuedAt,
    // A family with nothing left alive (or whose client is gone) is revoked already.
    revoked: client === undefined || rows.every((r) => Boolean(r.revoked)),
    skip: skipConsent ? 'client' : 'remembered',
    origin_id: origin?.id ?? null,
  };
}
