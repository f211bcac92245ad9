import type { Clock } from '../../lib/clock.js';
import { sha256 } from '../../lib/crypto.js';
import type { JtiStore } from '../../storage/ports.js';
import { jtiKey } from '../client-auth/assertion.js';
import { importProofKey, signatureValid } from './jwk.js';
import type { DpopNonces } from './nonce.js';

/*
 * DPoP proof validation, RFC 9449 §4.3, step by step (the numbers in the
 * comments are its list's). The `jti` is recorded last, once every other
 * check has passed, in the shared JtiStore under its own namespace (a DPoP
 * `jti` cannot collide with a client assertion's), so single use holds across
 * processes (§11.1).
 */

export interface DpopDeps {
  readonly clock: Clock;
  readonly jtis: JtiStore;
  /** `oauth2.dpop.signing_algorithms`. */
  readonly algorithms: readonly string[];
  /** `oauth2.dpop.proof_max_age` and `clock_skew` (ms). */
  readonly maxAge: number;
  readonly skew: number;
  /** Present while `oauth2.dpop.nonce.required` is on. */
  readonly nonces?: DpopNonces | undefined;
}

export interface ProofTarget {
  /** The request's method (§4.3 item 8). */
  readonly htm: string;
  /** The endpoint's URL as this server publishes it (§4.3 item 9). */
  readonly htu: string;
  /** At a protected resource: the access token the proof must name in `ath` (§4.3 item 12). */
  readonly accessToken?: string | undefined;
}

export type ProofOutcome =
  | { readonly ok: true; readonly jkt: string }
  | { readonly ok: false; readonly error: 'invalid_dpop_proof' | 'use_dpop_nonce'; readonly hint: string };

const MAX_PROOF_CHARS = 8192;
const MAX_JTI_CHARS = 256;
const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

const invalid = (hint: string): ProofOutcome => ({ ok: false, error: 'invalid_dpop_proof', hint: `The DPoP proof is invalid: ${hint}.` });

function decode(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** RFC 9449 §4.3 item 9: scheme, host, port and path; no query, no fragment; URL parsing normalises case, default ports and dot segments. */
export function normalizeHtu(value: string): string | undefined {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return undefined;
  }
}

/** `header`: the DPoP request header as received (node joins repeated headers with ", "; a proof has no comma). */
export async function verifyProof(header: string | undefined, target: ProofTarget, deps: DpopDeps): Promise<ProofOutcome> {
  // Item 1: exactly one DPoP header.
  if (header === undefined || header === '') return invalid('the DPoP header is missing');
  if (header.includes(',')) return invalid('more than one DPoP header was sent');
  // Item 2: a well-formed JWS.
  if (header.length > MAX_PROOF_CHARS || !JWS.test(header)) return invalid('it is not a JWT');
  const [h, p, s] = header.split('.') as [string, string, string];
  const jose = decode(h);
  const claims = decode(p);
  if (!jose || !claims) return invalid('it is not a JWT');
  // Items 3-5.
  if (jose['typ'] !== 'dpop+jwt') return invalid('"typ" must be "dpop+jwt"');
  const alg = jose['alg'];
  if (typeof alg !== 'string' || !deps.algorithms.includes(alg)) return invalid(`"alg" must be one of ${deps.algorithms.join(', ')}`);
  // Items 6-7: the signature, by the public key in the header.
  const key = importProofKey(jose['jwk'], alg);
  if (typeof key === 'string') return invalid(key);
  if (!signatureValid(alg, Buffer.from(`${h}.${p}`), key.key, Buffer.from(s, 'base64url'))) return invalid('the signature does not verify');
  const { jti, htm, htu, iat } = claims;
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_CHARS) return invalid('"jti" is missing');
  // Items 8-9.
  if (htm !== target.htm) return invalid(`"htm" must be "${target.htm}"`);
  if (typeof htu !== 'string' || normalizeHtu(htu) !== normalizeHtu(target.htu)) return invalid(`"htu" must be "${target.htu}"`);
  const now = deps.clock.now();
  // Item 10: a server nonce, when required (§8).
  if (deps.nonces && !deps.nonces.accepts(claims['nonce'], now)) {
    return { ok: false, error: 'use_dpop_nonce', hint: 'Authorization server requires nonce in DPoP proof.' };
  }
  // Item 11: recent enough.
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return invalid('"iat" is missing');
  const issued = iat * 1000;
  if (issued > now + deps.skew || issued < now - deps.maxAge - deps.skew) return invalid('"iat" is too far from the current time');
  // Item 12: at a protected resource, the proof names the access token it comes with.
  if (target.accessToken !== undefined && claims['ath'] !== sha256(target.accessToken).toString('base64url')) return invalid('"ath" does not match the access token');
  // §11.1: single use, in every process. Past this time the `iat` check refuses it anyway.
  if (!(await deps.jtis.use(jtiKey('dpop', key.jkt, jti), issued + deps.maxAge + 2 * deps.skew, now))) return invalid('its "jti" was used before');
  return { ok: true, jkt: key.jkt };
}
