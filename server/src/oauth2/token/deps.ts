import type { Clock } from '../../lib/clock.js';
import type { ClientStore, DeviceStore, JtiStore, TokenStore, TrustStore } from '../../storage/ports.js';
import type { TokenStrategy } from '../../tokens/hmac.js';
import type { ScopeStrategy } from '../scope.js';
import type { IdTokenSigner } from '../../keys/signer.js';
import type { SecretGuard } from '../../clients/secret-guard.js';
import type { AssertionDeps } from '../client-auth.js';

/** The jwt-bearer grant (grants/jwt-bearer.ts): Hydra's oauth2.grant.jwt settings and the trust store. */
export interface JwtBearerDeps {
  readonly trust: Pick<TrustStore, 'find'>;
  readonly jtis: JtiStore;
  /** Accepted `aud` values: the token endpoint and the issuer. */
  readonly audiences: readonly string[];
  readonly maxTtl: number;
  readonly jtiOptional: boolean;
  readonly iatOptional: boolean;
}
import type { AccessTokenFormats } from './access-token.js';
import type { TokenDpopDeps } from '../dpop/index.js';
import type { JwtReader } from '../../tokens/read.js';

/** Token exchange (grants/token-exchange.ts): how this server's own subject and actor tokens are read. */
export interface TokenExchangeDeps {
  /** JWT access tokens (RFC 9068); absent: opaque access tokens only. */
  readonly jwt?: JwtReader | undefined;
  /** Our ID tokens (keys/signer.ts). */
  readonly idTokens: Pick<IdTokenSigner, 'verifyHint'>;
}

/** What the grants need, and nothing more. */
export interface GrantDeps {
  readonly clients: Pick<ClientStore, 'get'>;
  /** One per process, shared with revocation: failures count across both. */
  readonly secrets: SecretGuard;
  /** private_key_jwt and client_secret_jwt (oauth2/client-auth/). */
  readonly assertions?: AssertionDeps | undefined;
  readonly jwtBearer?: JwtBearerDeps | undefined;
  /** Absent: the token-exchange grant is unavailable. */
  readonly tokenExchange?: TokenExchangeDeps | undefined;
  readonly tokens: TokenStore;
  /** RFC 8628 polling (grants/device-code.ts). */
  readonly devices: Pick<DeviceStore, 'byDeviceCode' | 'poll'>;
  readonly strategy: TokenStrategy;
  readonly clock: Clock;
  readonly scopeStrategy: ScopeStrategy;
  readonly signer: Pick<IdTokenSigner, 'sign'>;
  readonly issuer: string;
  readonly ttl: { readonly accessToken: number; readonly refreshToken: number; readonly idToken: number };
  /** JWT access tokens (RFC 9068); absent: every access token is opaque. */
  readonly accessTokens?: AccessTokenFormats | undefined;
  /** `oidc.subject_identifiers.pairwise.salt` (tokens/subject.ts). */
  readonly pairwiseSalt?: string | undefined;
  /** DPoP proofs (RFC 9449, oauth2/dpop/); absent: a DPoP header is ignored. */
  readonly dpop?: TokenDpopDeps | undefined;
  /** Per request: the verified proof's key thumbprint, which the grant's tokens are bound to (set by the token endpoint). */
  readonly dpopJkt?: string | undefined;
}
