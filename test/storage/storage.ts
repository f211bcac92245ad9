import type { Client } from '../../server/src/clients/client.js';
import type { Storage } from '../../server/src/storage/ports.js';
import type { TokenRecord } from '../../server/src/tokens/token.js';
import { connect, createStorage, migrateDown, type Connection } from '../../server/src/storage/knex/index.js';
import { migrations } from '@tessera/migrations';
import type { Backend, Database } from '../helpers/databases.js';
import { migrated } from '../helpers/tessera.js';

/** A migrated database and the storage adapter over it, for the contract suites. */
export function useStorage(backend: Backend): { readonly storage: Storage; readonly db: Database } {
  const ctx = {} as { storage: Storage; db: Database };
  before(async () => {
    ctx.db = await backend.create();
    await migrated(ctx.db.dsn);
    ctx.storage = createStorage(connect(ctx.db.dsn));
  });
  after(async () => {
    await ctx.storage?.close();
    await ctx.db?.drop();
  });
  return ctx;
}

/** A migrated database and two storage adapters over it, as two processes would have: for single-use and race checks. */
export function useStoragePair(backend: Backend): { readonly one: Storage; readonly two: Storage; readonly conns: readonly Connection[] } {
  const ctx = {} as { one: Storage; two: Storage; conns: Connection[]; db: Database };
  before(async () => {
    ctx.db = await backend.create();
    await migrated(ctx.db.dsn);
    ctx.conns = [connect(ctx.db.dsn), connect(ctx.db.dsn)];
    [ctx.one, ctx.two] = ctx.conns.map((conn) => createStorage(conn)) as [Storage, Storage];
  });
  after(async () => {
    await ctx.one?.close();
    await ctx.two?.close();
    await ctx.db?.drop();
  });
  return ctx;
}

let minted = 0;

/** A token row with every field set and a unique signature; `extra` overrides. */
export function tokenRecord(extra: Partial<TokenRecord> = {}): TokenRecord {
  minted += 1;
  return {
    signature: `sig-${minted}-${Math.random().toString(36).slice(2)}`,
    kind: 'access_token',
    familyId: 'family-1',
    clientId: 'client-1',
    subject: 'user-1',
    scope: ['openid', 'offline_access'],
    audience: ['https://api.example'],
    session: { ext: { role: 'admin' }, idToken: { email: 'a@b.c' } },
    issuedAt: 1_700_000_000_000,
    expiresAt: 1_700_003_600_000,
    usedAt: null,
    revoked: false,
    ...extra,
  };
}

/** A minimal valid client; the store does not validate, it keeps what it is given. */
export function clientFixture(id: string, extra: Partial<Client> = {}): Client {
  return {
    client_id: id,
    client_name: `name of ${id}`,
    owner: '',
    secret_hash: 'sha256$abc',
    created_at: 1_700_000_000_000,
    updated_at: 1_700_000_000_000,
    client_secret_expires_at: 0,
    redirect_uris: ['https://app.example/cb'],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    scope: 'openid',
    audience: [],
    policy_uri: '',
    tos_uri: '',
    client_uri: '',
    logo_uri: '',
    contacts: [],
    allowed_cors_origins: [],
    request_uris: [],
    request_object_signing_alg: '',
    token_endpoint_auth_method: 'client_secret_basic',
    token_endpoint_auth_signing_alg: '',
    userinfo_signed_response_alg: 'none',
    id_token_signed_response_alg: 'RS256',
    jwks_uri: '',
    subject_type: 'public',
    sector_identifier_uri: '',
    post_logout_redirect_uris: [],
    frontchannel_logout_uri: '',
    frontchannel_logout_session_required: false,
    backchannel_logout_uri: '',
    backchannel_logout_session_required: false,
    skip_consent: false,
    skip_logout_consent: false,
    metadata: { team: 'a', nested: { n: 1 } },
    authorization_code_grant_access_token_lifespan: null,
    authorization_code_grant_id_token_lifespan: null,
    authorization_code_grant_refresh_token_lifespan: null,
    client_credentials_grant_access_token_lifespan: '5m',
    implicit_grant_access_token_lifespan: null,
    implicit_grant_id_token_lifespan: null,
    jwt_bearer_grant_access_token_lifespan: null,
    refresh_token_grant_access_token_lifespan: null,
    refresh_token_grant_id_token_lifespan: null,
    refresh_token_grant_refresh_token_lifespan: null,
    device_authorization_grant_access_token_lifespan: null,
    device_authorization_grant_id_token_lifespan: null,
    device_authorization_grant_refresh_token_lifespan: null,
    ...extra,
  };
}

/**
 * Rolls migrations back one at a time until `name` is rolled back (those
 * after it go first, newest first), so a test of one migration's down/up
 * holds whatever migrations come after it. Returns what was rolled back, in
 * order, and the names after `name`, oldest first (what migrateUp re-applies
 * after it).
 */
export async function rollBackThrough(conn: Connection, name: string): Promise<{ rolledBack: string[]; later: string[] }> {
  const later = migrations.slice(migrations.findIndex((m) => m.name === name) + 1).map((m) => m.name);
  const rolledBack: string[] = [];
  for (;;) {
    const step = await migrateDown(conn);
    rolledBack.push(...step);
    if (step.length === 0 || rolledBack.includes(name)) break;
  }
  return { rolledBack, later };
}

/** Counts the connections the direct PostgreSQL store checks out of knex's pool: one per statement it sends. */
export function countCheckouts(conn: Connection): { readonly count: number; reset(): void } {
  const client = conn.knex.client as { acquireConnection: () => Promise<unknown> };
  const original = client.acquireConnection.bind(client);
  let count = 0;
  client.acquireConnection = () => {
    count += 1;
    return original();
  };
  return {
    get count() {
      return count;
    },
    reset() {
      count = 0;
    },
  };
}
