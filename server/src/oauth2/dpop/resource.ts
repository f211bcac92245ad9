import { resourceError } from './errors.js';
import { verifyProof, type DpopDeps } from './proof.js';

/*
 * A protected resource's side of DPoP (RFC 9449 §7): userinfo here. A token
 * bound to a key (its row's `jkt`) is accepted only as `Authorization: DPoP`
 * with a proof by that key naming the token in `ath`; presented as Bearer it
 * is refused (§7.2: no downgrade). An unbound token presented with the DPoP
 * scheme is refused too: there is no key to match the proof against (§4.3
 * item 12), and a client that believes its token is bound should learn that
 * it is not (README "DPoP").
 */

export interface ResourceDpopDeps extends DpopDeps {
  /** The resource's published URL: the proofs' `htu`. */
  readonly url: string;
}

export interface PresentedToken {
  readonly scheme: 'bearer' | 'dpop';
  readonly token: string;
}

const SCHEME = /^(bearer|dpop) +(\S+)\s*$/i;

/** The token of an `Authorization: Bearer|DPoP <token>` header (RFC 6750 §2.1, RFC 9449 §7.1). */
export function presentedToken(header: string | undefined): PresentedToken | undefined {
  const match = header === undefined ? null : SCHEME.exec(header);
  if (!match?.[1] || !match[2]) return undefined;
  return { scheme: match[1].toLowerCase() === 'dpop' ? 'dpop' : 'bearer', token: match[2] };
}

export interface ResourceRequest {
  readonly presented: PresentedToken;
  /** The token's binding: its row's `jkt`. */
  readonly bound: string | undefined;
  readonly method: string;
  /** The DPoP header as received. */
  readonly proof: string | undefined;
}

/** Throws the 401 a request that breaks the token's binding gets. */
export async function assertResourceBinding(request: ResourceRequest, deps: ResourceDpopDeps | undefined): Promise<void> {
  const { presented, bound } = request;
  const algs = deps?.algorithms ?? [];
  if (presented.scheme === 'bearer') {
    if (bound !== undefined) throw resourceError('invalid_token', 'The access token is DPoP-bound: send it as "Authorization: DPoP" with a DPoP proof.', algs);
    return;
  }
  if (!deps || bound === undefined) throw resourceError('invalid_token', 'The access token is not DPoP-bound: send it as "Authorization: Bearer".', algs);
  const outcome = await verifyProof(request.proof, { htm: request.method, htu: deps.url, accessToken: presented.token }, deps);
  if (!outcome.ok) {
    const nonce = outcome.error === 'use_dpop_nonce' ? deps.nonces?.current(deps.clock.now()) : undefined;
    throw resourceError(outcome.error, outcome.hint, algs, nonce);
  }
  if (outcome.jkt !== bound) throw resourceError('invalid_dpop_proof', 'The DPoP proof is not signed by the key the access token is bound to.', algs);
}
