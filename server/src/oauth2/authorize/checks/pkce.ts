import { createHash } from 'node:crypto';
import type { Client } from '../../../clients/client.js';
import { isPublicClient } from '../../../clients/client.js';
import { invalidRequest } from '../../../errors/catalog.js';

export interface PkcePolicy {
  readonly enforced: boolean;
  readonly enforcedForPublicClients: boolean;
  /** `plain` is allowed only when this is on (it is off: RFC 9700 §2.1.1 wants S256). */
  readonly allowPlain: boolean;
}

/** RFC 7636 §4.1/§4.2: 43 to 128 characters of [A-Z a-z 0-9 - . _ ~]. */
const PKCE_VALUE = /^[A-Za-z0-9._~-]{43,128}$/;

export function checkCodeChallenge(
  client: Client,
  challenge: string | undefined,
  method: string | undefined,
  policy: PkcePolicy,
): { codeChallenge?: string; codeChallengeMethod?: 'S256' | 'plain' } {
  if (challenge === undefined || challenge === '') {
    if (policy.enforced || (policy.enforcedForPublicClients && isPublicClient(client))) {
      throw invalidRequest('PKCE is required: send code_challenge with code_challenge_method=S256 (RFC 9700 §2.1.1).');
    }
    if (method) throw invalidRequest('code_challenge_method was sent without code_challenge.');
    return {};
  }
  // RFC 7636 §4.3: the method defaults to plain.
  const m = method || 'plain';
  if (m !== 'S256' && m !== 'plain') throw invalidRequest(`The code_challenge_method "${m}" is not supported; use S256.`);
  if (m === 'plain' && !policy.allowPlain) throw invalidRequest('The code_challenge_method "plain" is not allowed; use S256 (RFC 9700 §2.1.1).');
  if (!PKCE_VALUE.test(challenge)) throw invalidRequest('code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.2).');
  return { codeChallenge: challenge, codeChallengeMethod: m };
}

/** RFC 7636 §4.6. */
export function verifierMatches(verifier: string, challenge: string, method: 'S256' | 'plain'): boolean {
  if (!PKCE_VALUE.test(verifier)) return false;
  const derived = method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  return derived === challenge;
}
