import { loadDsn } from '../config/load.js';
import { connect, disconnect, migrateDown, migrateUp, migrationStatus } from '../storage/knex/index.js';
import { UsageError } from './errors.js';

export interface MigrateArgs {
  readonly positionals: readonly string[];
  readonly dsn: string | undefined;
  readonly config: string | undefined;
  readonly dev: boolean;
}

export async function migrate(args: MigrateArgs, out: (line: string) => void): Promise<number> {
  const action = args.positionals[0];
  if (action !== 'up' && action !== 'down' && action !== 'status') throw new UsageError('migrate needs one of: up, down, status');
  const conn = connect(loadDsn({ dsn: args.dsn, file: args.config, dev: args.dev }));
  try {
    if (action === 'status') {
      for (const m of await migrationStatus(conn)) out(`${m.applied ? 'applied' : 'pending'}  ${m.name}`);
    } else {
      const names = action === 'up' ? await migrateUp(conn) : await migrateDown(conn);
      const verb = action === 'up' ? 'applied' : 'rolled back';
      out(names.length === 0 ? `nothing to do` : names.map((n) => `${verb}  ${n}`).join('\n'));
    }
    return 0;
  } finally {
    await disconnect(conn);
  }
}
