import type { Clock } from '../../lib/clock.js';
import type { ClientStore, ForcedSubjectStore, LoginSessionStore, LogoutStore, SessionClients } from '../../storage/ports.js';
import type { IdTokenSigner } from '../../keys/signer.js';
import type { BackchannelNotifier } from '../../sessions/backchannel.js';

export interface LogoutDeps {
  readonly clients: Pick<ClientStore, 'get'>;
  readonly logouts: LogoutStore;
  readonly loginSessions: LoginSessionStore;
  readonly sessionClients: SessionClients;
  /** An id_token_hint naming a forced subject (tokens/subject.ts). */
  readonly forcedSubjects: Pick<ForcedSubjectStore, 'subjectOf'>;
  readonly signer: Pick<IdTokenSigner, 'verifyHint'>;
  readonly notifier: BackchannelNotifier;
  readonly clock: Clock;
  readonly issuer: string;
  /** Where `/oauth2/sessions/logout` is reached. */
  readonly endSessionUrl: string;
  readonly urls: { readonly logout?: string | undefined; readonly postLogoutRedirect?: string | undefined };
  readonly ttl: { readonly flow: number };
  /** `oauth2.authorization_request.max_bytes`: a logout request is stored too. */
  readonly maxRequestBytes: number;
  /** Pairwise id_token_hints (tokens/subject.ts). */
  readonly pairwiseSalt?: string | undefined;
}
