import { CookieJar } from '../lib/cookie-jar.js';
import { parseJson, stringField, type HttpClient } from '../lib/http.js';
import type { FlowParams } from '../load/spec.js';
import { authorizeQuery, browse, exchangeCode, pkce, queryParam, redirectOf, type FlowTokens } from './common.js';

/**
 * One full Tessera authorization-code flow, the way a browser and a login
 * app drive it (DESIGN.md, Shape): authorize → login accept → login verifier
 * hop → consent accept → consent verifier hop → code exchange with PKCE.
 */
export async function tesseraFlow(http: HttpClient, p: FlowParams): Promise<FlowTokens> {
  const admin = p.adminUrl;
  if (admin === undefined) throw new Error('a Tessera flow needs the admin URL');
  const jar = new CookieJar();
  const { verifier, challenge } = pkce();
  const authorize = `${p.publicUrl}/oauth2/auth?${authorizeQuery(p, challenge)}`;
  const toLogin = redirectOf(await browse(http, jar, authorize), authorize, 'authorize');
  const loginChallenge = queryParam(toLogin, 'login_challenge', 'authorize');
  const afterLogin = await accept(http, `${admin}/admin/oauth2/auth/requests/login/accept?login_challenge=${encodeURIComponent(loginChallenge)}`, {
    subject: 'bench-user',
  });
  const toConsent = redirectOf(await browse(http, jar, afterLogin), afterLogin, 'login verifier');
  const consentChallenge = queryParam(toConsent, 'consent_challenge', 'login verifier');
  const afterConsent = await accept(http, `${admin}/admin/oauth2/auth/requests/consent/accept?consent_challenge=${encodeURIComponent(consentChallenge)}`, {
    grant_scope: p.scope.split(' '),
  });
  const toClient = redirectOf(await browse(http, jar, afterConsent), afterConsent, 'consent verifier');
  const code = queryParam(toClient, 'code', 'consent verifier');
  return exchangeCode(http, p, `${p.publicUrl}/oauth2/token`, code, verifier);
}

/** The login or consent app's PUT …/accept; answers redirect_to. */
async function accept(http: HttpClient, url: string, decision: Record<string, unknown>): Promise<string> {
  const res = await http.request('PUT', url, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(decision) });
  return stringField(parseJson(res, 'accept'), 'redirect_to', 'accept');
}
