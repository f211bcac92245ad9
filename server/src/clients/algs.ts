import { invalidClientMetadata } from '../errors/catalog.js';
import type { ClientMetadata } from './validate.js';

/*
 * OIDC Registration §2: the server refuses an algorithm it cannot sign
 * with, rather than failing every sign-in later. RS256 is always signable:
 * the key service recreates it on demand in either set.
 */

export interface SigningAlgSources {
  /** What hydra.openid.id-token signs now (ID tokens, logout tokens, signed userinfo). */
  readonly idTokenAlgs?: (() => Promise<readonly string[]>) | undefined;
  /** What hydra.jwt.access-token signs now (JWT access tokens). */
  readonly accessTokenAlgs?: (() => Promise<readonly string[]>) | undefined;
}

async function check(field: string, alg: string | undefined, setId: string, algs: (() => Promise<readonly string[]>) | undefined): Promise<void> {
  if (!alg || alg === 'none' || alg === 'RS256' || !algs || (await algs()).includes(alg)) return;
  throw invalidClientMetadata(`${field}: no ${alg} signing key in ${setId}; create one first (POST /admin/keys/${setId} {"alg":"${alg}"}).`);
}

export async function checkSigningAlgs(metadata: ClientMetadata, sources: SigningAlgSources): Promise<void> {
  await check('id_token_signed_response_alg', metadata.id_token_signed_response_alg, 'hydra.openid.id-token', sources.idTokenAlgs);
  await check('userinfo_signed_response_alg', metadata.userinfo_signed_response_alg, 'hydra.openid.id-token', sources.idTokenAlgs);
  await check('access_token_signed_response_alg', metadata.access_token_signed_response_alg, 'hydra.jwt.access-token', sources.accessTokenAlgs);
}
