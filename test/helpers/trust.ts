import { expect } from 'chai';
import * as jose from 'jose';
import { request } from './http.js';

/**
 * An issuer trusted through the jwt-bearer trust API (Hydra's
 * /admin/trust/grants/jwt-bearer/issuers) for one subject, with an ES256
 * key, and a function that signs assertions from it for Tessera's token
 * endpoint.
 */
export async function trustedIssuer(
  adminUrl: string,
  tokenEndpoint: string,
  trust: { readonly issuer: string; readonly subject: string; readonly scope: readonly string[] },
): Promise<{ assertion(): Promise<string> }> {
  const keys = await jose.generateKeyPair('ES256', { extractable: true });
  const res = await request(adminUrl, 'POST', '/admin/trust/grants/jwt-bearer/issuers', {
    json: { ...trust, jwk: { ...(await jose.exportJWK(keys.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }, expires_at: new Date(Date.now() + 3_600_000).toISOString() },
  });
  expect(res.status, res.text).to.equal(201);
  return {
    assertion: () =>
      new jose.SignJWT({ jti: crypto.randomUUID() })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer(trust.issuer)
        .setSubject(trust.subject)
        .setAudience(tokenEndpoint)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(keys.privateKey),
  };
}
