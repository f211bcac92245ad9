import type { Clock } from '../lib/clock.js';
import type { ClientStore, ConsentStore, FlowStore, ForcedSubjectStore, LoginSessionStore } from '../storage/ports.js';
import type { TokenStrategy } from '../tokens/hmac.js';
import type { ScopeStrategy } from '../oauth2/scope.js';
import type { Sealer } from '../keys/seal.js';
import type { IdTokenSigner } from '../keys/signer.js';
import type { AccessTokenFormats } from '../oauth2/token/access-token.js';
import type { Metrics } from '../metrics/metrics.js';

/** What the login/consent flow needs; one object passed down from the composition root. */
export interface FlowDeps {
  readonly clients: Pick<ClientStore, 'get'>;
  readonly flows: FlowStore;
  readonly loginSessions: LoginSessionStore;
  readonly consents: ConsentStore;
  /** Subjects login apps forced for pairwise clients, for id_token_hints that name them. */
  readonly forcedSubjects: ForcedSubjectStore;
  readonly strategy: TokenStrategy;
  /** ID tokens returned from the authorization endpoint (implicit and hybrid responses). */
  readonly signer: Pick<IdTokenSigner, 'sign'>;
  /** Seals each flow's login challenge (flows/login-challenge.ts). */
  readonly challengeSealer: Sealer;
  readonly clock: Clock;
  readonly scopeStrategy: ScopeStrategy;
  readonly issuer: string;
  readonly urls: { readonly login?: string | undefined; readonly consent?: string | undefined };
  readonly ttl: {
    /** ttl.login_consent_request */
    readonly flow: number;
    readonly authCode: number;
    /** Defaults for tokens issued at the authorization endpoint, before the client's implicit lifespans. */
    readonly accessToken: number;
    readonly idToken: number;
    readonly authenticationSession: number;
  };
  /** JWT access tokens (RFC 9068) for implicit and hybrid responses, as at the token endpoint; absent: opaque. */
  readonly accessTokens?: AccessTokenFormats | undefined;
  /** `oidc.subject_identifiers.pairwise.salt` (tokens/subject.ts). */
  readonly pairwiseSalt?: string | undefined;
  /** Counts how the login/consent app settled each request (accepted, rejected, skipped). */
  readonly metrics?: Pick<Metrics, 'flowOutcome'> | undefined;
}

/** Cookie names. The browser cookie binds a flow to the browser that started it (CSRF, RFC 9700 §4.7). */
export const COOKIES = { browser: 'tessera_browser', session: 'tessera_session' } as const;
