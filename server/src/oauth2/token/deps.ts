import type { Clock } from '../../lib/clock.js';
import type { ClientStore, DeviceStore, TokenStore } from '../../storage/ports.js';
import type { TokenStrategy } from '../../tokens/hmac.js';
import type { ScopeStrategy } from '../scope.js';
import type { IdTokenSigner } from '../../keys/signer.js';
import type { SecretGuard } from '../../clients/secret-guard.js';

/** What the grants need, and nothing more. */
export interface GrantDeps {
  readonly clients: Pick<ClientStore, 'get'>;
  /** One per process, shared with revocation: failures count across both. */
  readonly secrets: SecretGuard;
  readonly tokens: TokenStore;
  /** RFC 8628 polling (grants/device-code.ts). */
  readonly devices: Pick<DeviceStore, 'byDeviceCode' | 'poll'>;
  readonly strategy: TokenStrategy;
  readonly clock: Clock;
  readonly scopeStrategy: ScopeStrategy;
  readonly signer: Pick<IdTokenSigner, 'sign'>;
  readonly issuer: string;
  readonly ttl: { readonly accessToken: number; readonly refreshToken: number; readonly idToken: number };
}
