import type { Storage } from '../../server/src/storage/ports.js';
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
