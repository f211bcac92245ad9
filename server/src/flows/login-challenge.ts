import type { Sealer } from '../keys/seal.js';
import type { StoredFlow } from '../storage/ports.js';

/*
 * The login challenge of a flow, kept so the consent request can name it
 * (Hydra's `login_challenge`: login apps correlate the two requests). The
 * lookup column holds only its hash; this copy is sealed (AES-256-GCM under
 * a key derived from secrets.system for this purpose alone), bound to its
 * flow by the associated data, so a database leak shows no usable challenge.
 */

/** The HKDF info of the key that seals login challenges. */
export const LOGIN_CHALLENGE_PURPOSE = 'tessera/login-challenge/v1';

const aad = (flowId: string) => `login_challenge:${flowId}`;

export function sealLoginChallenge(sealer: Sealer, flowId: string, challenge: string): string {
  return sealer.seal(challenge, aad(flowId));
}

/**
 * "" when there is nothing to open: a flow stored before challenges were
 * kept, or sealed under a system secret dropped since (the field only helps
 * an app correlate; it never decides anything).
 */
export function openLoginChallenge(sealer: Sealer, stored: StoredFlow): string {
  if (!stored.sealedLoginChallenge) return '';
  try {
    return sealer.open(stored.sealedLoginChallenge, aad(stored.flow.id));
  } catch {
    return '';
  }
}
