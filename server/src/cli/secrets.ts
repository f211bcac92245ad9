import { loadDsn, loadSystemSecrets } from '../config/load.js';
import { createSealer } from '../keys/seal.js';
import { resealKeys } from '../keys/rotate.js';
import { resealClientSecrets } from '../clients/reseal.js';
import { SECRET_SEAL_PURPOSE } from '../clients/secret.js';
import { connect, createStorage } from '../storage/knex/index.js';
import { EXIT, UsageError } from './errors.js';

export interface SecretsArgs {
  readonly positionals: readonly string[];
  readonly dsn: string | undefined;
  readonly config: string | undefined;
  readonly dev: boolean;
}

/**
 * `tessera secrets rotate`: re-seals every private key under the first
 * `secrets.system` entry (README "System secret rotation"). Safe while
 * servers run and when started twice; exit 1 when a key opens with none of
 * the configured secrets (nothing is changed for it).
 */
export async function secrets(args: SecretsArgs, out: (line: string) => void): Promise<number> {
  if (args.positionals[0] !== 'rotate' || args.positionals.length > 1) throw new UsageError('secrets needs: rotate');
  const system = loadSystemSecrets({ file: args.config, dev: args.dev });
  const storage = createStorage(connect(loadDsn({ dsn: args.dsn, file: args.config, dev: args.dev })));
  try {
    const report = await resealKeys(storage.keys, createSealer(system));
    out(`private keys: ${report.resealed} re-sealed under the first secret, ${report.current} already under it, ${report.unreadable.length} unreadable`);
    for (const key of report.unreadable) out(`unreadable: ${key} (sealed with a secret that is not listed)`);
    const clientSecrets = await resealClientSecrets(storage.clients, createSealer(system, SECRET_SEAL_PURPOSE));
    out(`client_secret_jwt secrets: ${clientSecrets.resealed} re-sealed under the first secret, ${clientSecrets.current} already under it, ${clientSecrets.unreadable.length} unreadable`);
    for (const client of clientSecrets.unreadable) out(`unreadable: client ${client} (sealed with a secret that is not listed)`);
    out(
      system.length > 1
        ? 'opaque tokens (access, refresh, authorization codes) cannot be re-signed: those signed with a secret you drop stop working'
        : 'only one secret is listed: nothing older is left to drop',
    );
    return report.unreadable.length + clientSecrets.unreadable.length > 0 ? EXIT.failure : EXIT.ok;
  } finally {
    await storage.close();
  }
}
