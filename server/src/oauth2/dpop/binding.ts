import type { Client } from '../../clients/client.js';
import { invalidGrant, invalidRequest } from '../../errors/catalog.js';
import { invalidDpopProof, useDpopNonce } from './errors.js';
import { verifyProof, type DpopDeps } from './proof.js';

/*
 * The token endpoint's side of DPoP (RFC 9449 §5, §10). The endpoint verifies
 * the proof once, before the grant runs, and hands the grant the key's
 * thumbprint; every access token the grant mints is bound to it (the `jkt` of
 * the token row's session, `cnf.jkt` in JWTs and introspection). The grants
 * that redeem something bound (a code with `dpop_jkt`, a public client's
 * refresh token) check the thumbprint with the functions below.
 */

export interface TokenDpopDeps extends DpopDeps {
  /** The token endpoint's published URL: the proofs' `htu`. */
  readonly tokenEndpoint: string;
}

/**
 * The thumbprint a token request's tokens are bound to: the verified proof's
 * key, or undefined without a DPoP header. A client registered with
 * `dpop_bound_access_tokens` must send one (§5.2).
 */
export async function tokenRequestBinding(header: string | undefined, client: Pick<Client, 'dpop_bound_access_tokens'>, deps: TokenDpopDeps): Promise<string | undefined> {
  if (header === undefined) {
    if (client.dpop_bound_access_tokens === true) throw invalidRequest('This client must send a DPoP proof with its token requests (dpop_bound_access_tokens, RFC 9449 §5.2).');
    return undefined;
  }
  return proofKey(header, deps.tokenEndpoint, deps);
}

/** The key thumbprint of a proof sent to an endpoint answering like the token endpoint (400s, §5); `htu` is its URL. */
export async function proofKey(header: string, htu: string, deps: DpopDeps): Promise<string> {
  const outcome = await verifyProof(header, { htm: 'POST', htu }, deps);
  if (outcome.ok) return outcome.jkt;
  if (outcome.error === 'use_dpop_nonce' && deps.nonces) throw useDpopNonce(deps.nonces.current(deps.clock.now()), outcome.hint);
  throw invalidDpopProof(outcome.hint);
}

/**
 * RFC 9449 §10.1: a pushed authorization request may carry a proof instead of
 * (or with) `dpop_jkt`; the code is bound to the proof's key. Returns the
 * `dpop_jkt` the request is to have, if any.
 */
export async function pushedRequestBinding(header: string | undefined, dpopJkt: string | undefined, deps: DpopDeps & { readonly parEndpoint: string }): Promise<string | undefined> {
  if (header === undefined) return dpopJkt;
  const jkt = await proofKey(header, deps.parEndpoint, deps);
  if (dpopJkt !== undefined && dpopJkt !== jkt) throw invalidRequest('dpop_jkt does not match the key of the DPoP proof (RFC 9449 §10.1).');
  return jkt;
}

/** `DPoP-Nonce` for an answer, while nonces are required (§8.2: the server may send a fresh one with any answer). */
export function nonceHeader(deps: Pick<DpopDeps, 'nonces' | 'clock'> | undefined): Record<string, string> {
  return deps?.nonces ? { 'DPoP-Nonce': deps.nonces.current(deps.clock.now()) } : {};
}

/** RFC 9449 §10: a code requested with `dpop_jkt` is exchanged only with a proof by that key. */
export function assertCodeBinding(bound: string | undefined, jkt: string | undefined): void {
  if (bound !== undefined && bound !== jkt) {
    throw invalidGrant('The authorization code is bound to a DPoP key (dpop_jkt); send a DPoP proof signed with that key.');
  }
}

/**
 * RFC 9449 §5: a public client's refresh token is bound to the key its grant
 * was made with; a refresh must prove that key. (A confidential client's are
 * not: it authenticates, and each refresh may bind to a new key.)
 */
export function assertRefreshBinding(bound: string | undefined, jkt: string | undefined): void {
  if (bound !== undefined && bound !== jkt) {
    throw invalidGrant('The refresh token is bound to a DPoP key; send a DPoP proof signed with that key.');
  }
}
