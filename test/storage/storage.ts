import type { Storage } from '../../server/src/storage/ports.js';
import type { TokenRecord } from '../../server/src/tokens/token.js';
import { connect, createStorage } from '../../server/src/storage/knex/index.js';
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
