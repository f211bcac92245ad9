import type { Knex } from 'knex';
import type { LogoutRequest, LogoutStore, SessionClients } from '../ports.js';

interface LogoutRow {
  id: string;
  state: string;
  challenge: string;
  verifier: string | null;
  browser: string;
  request: string;
  requested_at: number | string;
  expires_at: number | string;
}

function toRequest(row: LogoutRow): LogoutRequest {
  const rest = JSON.parse(row.request) as Omit<LogoutRequest, 'id' | 'status' | 'requestedAt' | 'expiresAt'>;
  return {
    ...rest,
    id: row.id,
    status: row.state as LogoutRequest['status'],
    requestedAt: Number(row.requested_at),
    expiresAt: Number(row.expires_at),
  };
}

export function createLogoutStore(db: Knex): LogoutStore {
  const logouts = () => db<LogoutRow>('oauth2_logouts');
  return {
    async create(request, challengeHash, browserHash) {
      const { id, status, requestedAt, expiresAt, ...rest } = request;
      await logouts().insert({
        id,
        state: status,
        challenge: challengeHash,
        verifier: null,
        browser: browserHash,
        request: JSON.stringify(rest),
        requested_at: requestedAt,
        expires_at: expiresAt,
      });
    },

    async find(by, hash) {
      const row = await logouts().where(by, hash).first();
      return row ? { request: toRequest(row), browser: row.browser } : undefined;
    },

    async accept(id, verifierHash) {
      return (await logouts().where('id', id).whereIn('state', ['requested', 'handled']).update({ state: 'handled', verifier: verifierHash })) > 0;
    },

    async finish(id) {
      return (await logouts().where({ id, state: 'handled' }).update({ state: 'done' })) > 0;
    },

    async delete(id) {
      await logouts().where('id', id).delete();
    },
  };
}

export function createSessionClients(db: Knex): SessionClients {
  return {
    async clientsOfSessions(sids) {
      if (sids.length === 0) return [];
      const rows = await db('oauth2_consents')
        .distinct('login_session_id', 'client_id', 'subject')
        .whereIn('login_session_id', [...sids]);
      return (rows as Array<{ login_session_id: string; client_id: string; subject: string }>).map((r) => ({
        sid: r.login_session_id,
        clientId: r.client_id,
        subject: r.subject,
      }));
    },
  };
}
