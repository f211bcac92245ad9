import type { Clock } from '../../lib/clock.js';
import type { ClientStore, TokenStore } from '../../storage/ports.js';
import type { TokenStrategy } from '../../tokens/hmac.js';
import type { ScopeStrategy } from '../scope.js';

/** What the grants need, and nothing more. */
export interface GrantDeps {
  readonly clients: Pick<ClientStore, 'get'>;
  readonly tokens: TokenStore;
  readonly strategy: TokenStrategy;
  readonly clock: Clock;
  readonly scopeStrategy: ScopeStrategy;
  readonly ttl: { readonly accessToken: number; readonly refreshToken: number };
}
