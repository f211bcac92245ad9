import { CookieJar } from '../lib/cookie-jar.js';
import type { HttpClient } from '../lib/http.js';
import type { FlowParams } from '../load/spec.js';
import { authorizeQuery, browse, exchangeCode, pkce, queryParam, redirectOf, type FlowTokens } from './common.js';

/**
 * One full oidc-provider authorization-code flow. Its interactions are served
 * by the bench server process itself (servers/oidc-provider.ts), which
 * accepts login and consent at once, like the login app of the Tessera flow:
 * authorize → login interaction → resume → consent interaction → resume →
 * code exchange with PKCE. prompt=consent, because oidc-provider honours
 * offline_access only with it (OIDC Core §11).
 */
export async function oidcProviderFlow(http: HttpClient, p: FlowParams): Promise<FlowTokens> {
  const jar = new CookieJar();
  const { verifier, challenge } = pkce();
  let url = `${p.publicUrl}/auth?${authorizeQuery(p, challenge, { prompt: 'consent' })}`;
  // authorize, login interaction, resume, consent interaction, resume: five redirects to the client.
  for (let hop = 0; hop < 5; hop++) {
    url = redirectOf(await browse(http, jar, url), url, `hop ${hop}`);
    if (url.startsWith(p.redirectUri)) break;
  }
  const code = queryParam(url, 'code', 'authorization response');
  return exchangeCode(http, p, `${p.publicUrl}/token`, code, verifier);
}
