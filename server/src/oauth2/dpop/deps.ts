import type { Clock } from '../../lib/clock.js';
import type { JtiStore } from '../../storage/ports.js';
import { createDpopNonces } from './nonce.js';
import type { DpopDeps } from './proof.js';

/** `oauth2.dpop` as the config schema parses it (durations in ms). */
export interface DpopSettings {
  readonly signing_algorithms: readonly string[];
  readonly proof_max_age: number;
  readonly clock_skew: number;
  readonly nonce: { readonly required: boolean; readonly lifetime: number };
}

/** One verifier's deps for the token, PAR and userinfo endpoints; nonces are derived from the current system secret, not stored. */
export function createDpopDeps(settings: DpopSettings, clock: Clock, jtis: JtiStore, systemSecrets: readonly string[]): DpopDeps {
  // The first secret signs (DESIGN.md); after a rotation, nonces of the old one get use_dpop_nonce and a fresh one.
  const [secret] = systemSecrets;
  if (secret === undefined) throw new Error('secrets.system is empty');
  return {
    clock,
    jtis,
    algorithms: settings.signing_algorithms,
    maxAge: settings.proof_max_age,
    skew: settings.clock_skew,
    nonces: settings.nonce.required ? createDpopNonces(secret, settings.nonce.lifetime) : undefined,
  };
}
