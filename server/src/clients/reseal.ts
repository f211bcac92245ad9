import type { Sealer } from '../keys/seal.js';
import type { ClientStore, SealedSecret } from '../storage/ports.js';

/*
 * `tessera secrets rotate` for client_secret_jwt secrets, which are sealed
 * under secrets.system (clients/secret.ts) like private JWKs (keys/rotate.ts):
 * each is re-sealed under the first secret by a compare-and-set UPDATE, so a
 * secret rotated or a client deleted meanwhile is never overwritten or
 * brought back. A rotation's previous secret is re-sealed too.
 */

export interface SecretResealReport {
  readonly resealed: number;
  readonly current: number;
  /** `client id (column)` of secrets no configured system secret opens. */
  readonly unreadable: readonly string[];
}

const BATCH = 100;
const PREFIX = 'sealed$';

export async function resealClientSecrets(store: Pick<ClientStore, 'listSealedSecrets' | 'swapSealedSecret'>, sealer: Sealer): Promise<SecretResealReport> {
  let resealed = 0;
  let current = 0;
  const unreadable: string[] = [];
  let after = '';
  for (;;) {
    const batch: SealedSecret[] = await store.listSealedSecrets(after, BATCH);
    for (const s of batch) {
      const body = s.sealed.slice(PREFIX.length);
      const index = sealer.secretIndex(body, s.clientId);
      if (index === undefined) unreadable.push(`${s.clientId} (${s.column})`);
      else if (index === 0) current++;
      else if (await store.swapSealedSecret(s.clientId, s.column, s.sealed, `${PREFIX}${sealer.seal(sealer.open(body, s.clientId), s.clientId)}`)) resealed++;
    }
    const last = batch.at(-1);
    // A batch holds up to two entries per client: a short one by clients means the end.
    if (!last || new Set(batch.map((s) => s.clientId)).size < BATCH) return { resealed, current, unreadable };
    after = last.clientId;
  }
}
