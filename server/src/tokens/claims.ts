/*
 * Claims the issuer owns. A consent app's `session.id_token` claims go into
 * ID tokens and the userinfo answer; none of them may set or override a claim
 * the server sets, or one that changes what the token means to a verifier.
 * They are dropped, as Hydra does (fosite's IDTokenClaims.ToMap writes its own
 * claims over the extra ones; Hydra's userinfo deletes nonce, at_hash, c_hash,
 * exp, sid, jti): accepting the consent and dropping keeps existing login apps
 * working. README "Claims the issuer owns" lists them.
 *
 * `session.access_token` claims are never merged at the top level: they stay
 * nested under introspection's `ext` (as in Hydra), where they mean nothing to
 * an RFC 7662 client.
 */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  // RFC 7519 §4.1: registered claims.
  'iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti',
  // OIDC Core §2, §3.1.3.6, §3.3.2.11: what authentication produced and the hashes binding other artefacts.
  'auth_time', 'nonce', 'acr', 'amr', 'azp', 'at_hash', 'c_hash', 's_hash',
  // fosite's requested-at; OIDC Front-/Back-Channel Logout `sid`; Back-Channel Logout §2.4 / RFC 8417 `events`
  // (an ID token carrying `events` could pass for a logout token).
  'rat', 'sid', 'events',
  // RFC 9068 §2.2 and RFC 8693 §4: what makes a JWT an access token, and delegation.
  'typ', 'client_id', 'scope', 'scp', 'act', 'may_act',
  // RFC 7800 §3.1: proof-of-possession; OIDC Core §7.4: self-issued key.
  'cnf', 'sub_jwk',
  // OIDC Core §5.6.2: aggregated and distributed claims point the verifier elsewhere; Tessera issues neither.
  '_claim_names', '_claim_sources',
]);

/** A consent's claims without those the issuer owns. */
export function customClaims(claims: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims ?? {}).filter(([name]) => !RESERVED_CLAIMS.has(name)));
}
