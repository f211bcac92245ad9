import type {
  ListConsentSessionsQuery,
  OAuth2ConsentSession,
  RevokeConsentSessionsQuery,
  RevokeLoginSessionsQuery,
} from '@tessera/sdk';
import { toWire } from '../clients/mapper.js';
import { invalidRequest } from '../errors/catalog.js';
import { empty, json, type HandlerResult } from '../lib/result.js';
import type { ClientStore, ConsentRecord, ConsentStore, LoginSessionStore, SessionClients } from '../storage/ports.js';
import type { BackchannelNotifier } from './backchannel.js';

/*
 * /admin/oauth2/auth/sessions/{consent,login} (Hydra v2): what users granted
 * and where they are logged in, for operators to see and end.
 */

export interface SessionDeps {
  readonly clients: Pick<ClientStore, 'get'>;
  readonly consents: ConsentStore;
  readonly loginSessions: LoginSessionStore;
  readonly sessionClients: SessionClients;
  readonly notifier: BackchannelNotifier;
}

const encodeOffset = (n: number) => Buffer.from(String(n)).toString('base64url');

function decodeOffset(token: string | undefined): number {
  if (token === undefined) return 0;
  const n = Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(n) || n < 0 || encodeOffset(n) !== token) throw invalidRequest('page_token is not valid.');
  return n;
}

async function toSession(c: ConsentRecord, deps: SessionDeps): Promise<OAuth2ConsentSession | undefined> {
  const client = await deps.clients.get(c.clientId);
  // Deleting a client revokes its consents, so this is only a race with a deletion.
  if (!client) return undefined;
  return {
    consent_request_id: c.id,
    grant_scope: [...c.grantScope],
    grant_access_token_audience: [...c.grantAudience],
    session: { access_token: { ...c.accessTokenClaims }, id_token: { ...c.idTokenClaims } },
    remember: c.remember,
    remember_for: c.rememberUntil === null ? 0 : Math.round((c.rememberUntil - c.handledAt) / 1000),
    handled_at: new Date(c.handledAt).toISOString(),
    ...(c.context !== undefined ? { context: c.context } : {}),
    consent_request: {
      challenge: '',
      consent_request_id: c.id,
      client: toWire(client),
      subject: c.subject,
      requested_scope: [...c.requestedScope],
      requested_access_token_audience: [...c.requestedAudience],
      login_session_id: c.loginSessionId,
      acr: c.acr,
      amr: [...c.amr],
    },
  };
}

export function sessionHandlers(deps: SessionDeps) {
  return {
    async listConsent(query: ListConsentSessionsQuery, path: string): Promise<HandlerResult> {
      const offset = decodeOffset(query.page_token);
      const page = await deps.consents.list({ subject: query.subject, loginSessionId: query.login_session_id, limit: query.page_size, offset });
      const sessions = (await Promise.all(page.items.map((c) => toSession(c, deps)))).filter((s) => s !== undefined);
      const params = new URLSearchParams({ subject: query.subject, page_size: String(query.page_size) });
      if (query.login_session_id !== undefined) params.set('login_session_id', query.login_session_id);
      const links = [`<${path}?${params.toString()}>; rel="first"`];
      if (offset + page.items.length < page.total) {
        params.set('page_token', encodeOffset(offset + page.items.length));
        links.push(`<${path}?${params.toString()}>; rel="next"`);
      }
      return json(sessions, 200, { Link: links.join(','), 'X-Total-Count': String(page.total) });
    },

    async revokeConsent(query: RevokeConsentSessionsQuery): Promise<HandlerResult> {
      if (query.consent_request_id) {
        await deps.consents.revoke({ consentId: query.consent_request_id });
      } else if (query.subject && (query.client || query.all === 'true')) {
        await deps.consents.revoke({ subject: query.subject, clientId: query.all === 'true' ? undefined : query.client });
      } else {
        throw invalidRequest('Name what to revoke: subject with client, subject with all=true, or consent_request_id.');
      }
      return empty();
    },

    /** Ends the sessions, then tells every client that took part (back-channel logout, in the background). */
    async revokeLogin(query: RevokeLoginSessionsQuery): Promise<HandlerResult> {
      const filter = query.sid ? { id: query.sid } : query.subject ? { subject: query.subject } : undefined;
      if (!filter) throw invalidRequest('Name the sessions to end: subject or sid.');
      const ended = await deps.loginSessions.delete(filter);
      for (const { clientId, subject, sid } of await deps.sessionClients.clientsOfSessions(ended)) {
        const client = await deps.clients.get(clientId);
        if (client) deps.notifier.notify(client, subject, sid);
      }
      return empty();
    },
  };
}
