import type { JWTVerifyGetKey } from 'jose';
import type { Client } from '../../clients/client.js';
import type { SecretGuard } from '../../clients/secret-guard.js';
import type { Clock } from '../../lib/clock.js';
import type { ClientStore, JtiStore } from '../../storage/ports.js';

/** What JWT client authentication (private_key_jwt, client_secret_jwt) needs. */
export interface AssertionDeps {
  readonly clock: Clock;
  readonly jtis: JtiStore;
  /** Accepted `aud` values besides the endpoint's own URL: the issuer and the token endpoint (RFC 7523 §3 item 3). */
  readonly audiences: readonly string[];
  /** `oauth2.client_assertion.max_ttl` in ms. */
  readonly maxTtl: number;
  /** The key resolver of a `jwks_uri` (fetched through the SSRF guard, cached). */
  readonly remoteKeys: (uri: string) => JWTVerifyGetKey;
  /** Opens a client_secret_jwt client's sealed secret (clients/secret.ts `openSealedSecret`). */
  readonly openSecret: (client: Pick<Client, 'client_id'>, stored: string) => string | undefined;
}

export interface ClientAuthDeps {
  readonly clients: Pick<ClientStore, 'get'>;
  readonly secrets: SecretGuard;
  /** For the previous secret's grace period; the system clock when absent. */
  readonly clock?: Clock;
  /** Without it, private_key_jwt and client_secret_jwt are refused. */
  readonly assertions?: AssertionDeps | undefined;
}

export interface ClientCredentials {
  readonly authorization: string | undefined;
  readonly form: {
    readonly client_id?: string | undefined;
    readonly client_secret?: string | undefined;
    readonly client_assertion?: string | undefined;
    readonly client_assertion_type?: string | undefined;
  };
  /** The caller's address: failed secret checks are throttled per client and address (clients/secret-guard.ts). */
  readonly peer?: string | undefined;
  /** The URL of the endpoint authenticating the client, also accepted as an assertion's `aud`. */
  readonly endpoint?: string | undefined;
}

export type SecretMethod = 'client_secret_basic' | 'client_secret_post';
export type AssertionMethod = 'private_key_jwt' | 'client_secret_jwt';

/** What the request presents, before the client is known. */
export type Presented =
  | { readonly method: SecretMethod; readonly id: string; readonly secret: string }
  | { readonly method: 'none'; readonly id: string }
  | { readonly method: AssertionMethod; readonly id: string; readonly assertion: string };

/** One authentication method: whether `presented` proves `client` (already loaded, its method matching). */
export type AuthMethod = (presented: Presented, client: Client, deps: ClientAuthDeps, credentials: ClientCredentials) => Promise<boolean>;
