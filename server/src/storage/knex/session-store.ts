import type { Knex } from 'knex';
import type { ConsentFilter, ConsentRecord, ConsentStore, LoginSession, LoginSessionStore } from '../ports.js';
import { loginSessionToRow, rowToConsent, rowToLoginSession, type ConsentRow, type LoginSessionRow } from './rows.js';

export function createLoginSessionStore(db: Knex): LoginSessionStore {
  const sessions = () => db<LoginSessionRow>('oauth2_login_sessions');
  return {
    async save(session: LoginSession, secretHash: string): Promise<void> {
      await sessions()
        .insert(loginSessionToRow(session, secretHash))
        .onConflict('id')
        .merge();
    },

    async bySecret(secretHash: string): Promise<LoginSession | undefined> {
      const row = await sessions().where('secret_hash', secretHash).first();
      return row ? rowToLoginSession(row) : undefined;
    },

    async delete(filter): Promise<string[]> {
      const where = 'id' in filter ? { id: filter.id } : { subject: filter.subject };
      return db.transaction(async (trx) => {
        const ids = (await trx<LoginSessionRow>('oauth2_login_sessions').where(where).select('id')).map((r) => r.id);
        if (ids.length > 0) await trx('oauth2_login_sessions').whereIn('id', ids).delete();
        return ids;
      });
    },
  };
}

/** Large IN lists are split so neither database meets its parameter limit. */
const CHUNK = 500;

/** Rows that are not a re-use of a remembered consent: the decisions themselves (Hydra's `consent_skip = FALSE`). */
const decisions = (q: Knex.QueryBuilder) => q.whereNull('skip').orWhereNot('skip', 'remembered');

export function createConsentStore(db: Knex, dialect: 'sqlite' | 'postgres'): ConsentStore {
  const consents = (k: Knex | Knex.Transaction = db) => k<ConsentRow>('oauth2_consents');

  function matching(k: Knex | Knex.Transaction, filter: ConsentFilter) {
    const q = consents(k).where('revoked', false);
    // A consent and the flows that re-used it: their tokens were issued on its strength.
    if ('consentId' in filter) return q.where((w) => w.where('id', filter.consentId).orWhere('origin_id', filter.consentId));
    q.where('subject', filter.subject);
    if (filter.clientId !== undefined) q.where('client_id', filter.clientId);
    return q;
  }

  return {
    async latestRemembered(subject: string, clientId: string, now: number): Promise<ConsentRecord | undefined> {
      // Only a decision the user made counts (as Hydra: skip = false): a row of a skip_consent flow
      // with remember set must not skip the consent page once the client loses skip_consent.
      const row = await consents()
        .where({ subject, client_id: clientId, remember: true, revoked: false })
        .whereNull('skip')
        .andWhere((q) => q.whereNull('remember_until').orWhere('remember_until', '>', now))
        .orderBy('handled_at', 'desc')
        .first();
      return row ? rowToConsent(row) : undefined;
    },

    async list({ subject, loginSessionId, limit, offset }) {
      const base = () => {
        const q = consents().where({ subject, revoked: false }).andWhere(decisions);
        if (loginSessionId !== undefined) q.where('login_session_id', loginSessionId);
        return q;
      };
      const [rows, count] = await Promise.all([
        base().orderBy('handled_at', 'desc').orderBy('id', 'asc').limit(limit).offset(offset),
        base().count<Array<{ n: number | string }>>({ n: '*' }),
      ]);
      return { items: rows.map(rowToConsent), total: Number(count[0]?.n ?? 0) };
    },

    async revoke(filter: ConsentFilter): Promise<number> {
      return db.transaction(async (trx) => {
        // PostgreSQL: lock what matches first (in id order, so two revocations cannot deadlock), waiting for flows
        // that are writing a row re-using one of these consents (flow-store.ts `finish`); the next statement then
        // sees their rows. SQLite runs one writer at a time.
        if (dialect === 'postgres') await matching(trx, filter).orderBy('id').forUpdate().select('id');
        const ids = (await matching(trx, filter).select('id')).map((r) => r.id);
        for (let i = 0; i < ids.length; i += CHUNK) {
          const chunk = ids.slice(i, i + CHUNK);
          await consents(trx).whereIn('id', chunk).update({ revoked: true });
          await trx('oauth2_tokens').whereIn('family_id', chunk).where('revoked', false).update({ revoked: true });
        }
        return ids.length;
      });
    },
  };
}
