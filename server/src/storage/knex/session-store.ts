import type { Knex } from 'knex';
import type { ConsentRecord, ConsentStore, LoginSession, LoginSessionStore } from '../ports.js';
import { rowToConsent, type ConsentRow } from './rows.js';

interface LoginSessionRow {
  id: string;
  secret_hash: string;
  subject: string;
  authenticated_at: number | string;
  expires_at: number | string;
}

export function createLoginSessionStore(db: Knex): LoginSessionStore {
  const sessions = () => db<LoginSessionRow>('oauth2_login_sessions');
  return {
    async save(session: LoginSession, secretHash: string): Promise<void> {
      await sessions()
        .insert({
          id: session.id,
          secret_hash: secretHash,
          subject: session.subject,
          authenticated_at: session.authenticatedAt,
          expires_at: session.expiresAt,
        })
        .onConflict('id')
        .merge();
    },

    async bySecret(secretHash: string): Promise<LoginSession | undefined> {
      const row = await sessions().where('secret_hash', secretHash).first();
      if (!row) return undefined;
      return { id: row.id, subject: row.subject, authenticatedAt: Number(row.authenticated_at), expiresAt: Number(row.expires_at) };
    },

    async delete(id: string): Promise<void> {
      await sessions().where('id', id).delete();
    },
  };
}

export function createConsentStore(db: Knex): ConsentStore {
  return {
    async latestRemembered(subject: string, clientId: string, now: number): Promise<ConsentRecord | undefined> {
      const row = await db<ConsentRow>('oauth2_consents')
        .where({ subject, client_id: clientId, remember: true, revoked: false })
        .andWhere((q) => q.whereNull('remember_until').orWhere('remember_until', '>', now))
        .orderBy('handled_at', 'desc')
        .first();
      return row ? rowToConsent(row) : undefined;
    },
  };
}
