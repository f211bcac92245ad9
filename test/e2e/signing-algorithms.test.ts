import { expect } from 'chai';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import type { DiscoveryDocument } from '@tessera/sdk';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera, type Running } from '../helpers/tessera.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { Browser } from '../helpers/browser.js';
import { FLOW_URLS, runFlow } from '../helpers/flow.js';
import { request } from '../helpers/http.js';

/*
 * Issue 15, item 2: RS256 (default), PS256, ES256 and EdDSA keys; per client
 * id_token_signed_response_alg and userinfo_signed_response_alg (userinfo
 * answered as application/jwt, OIDC Core §5.3.2); discovery lists exactly
 * what the keys can sign now. openid-client is the relying party.
 */

const ID_TOKEN_SET = 'hydra.openid.id-token';
const REDIRECT = 'http://127.0.0.1:9999/callback';
const ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;

describeEachBackend('signing algorithms', (backend) => {
  const h = useTessera(backend, { ...FLOW_URLS, keys: { pre_publication: '0s' } });

  const discovery = async (t: Running) => (await request<DiscoveryDocument>(t.publicUrl, 'GET', '/.well-known/openid-configuration')).body;

  /** openid-client signs in; returns the validated ID token's header, its claims and the userinfo answer. */
  async function signIn(t: Running, client: CreatedClient, metadata: Partial<oidc.ClientMetadata>) {
    const config = await oidc.discovery(new URL(t.config.urls.self.issuer), client.client_id, { client_secret: client.client_secret, ...metadata }, oidc.ClientSecretBasic(client.client_secret), {
      execute: [oidc.allowInsecureRequests],
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const callback = await runFlow(new Browser(), t.adminUrl, url.href, { login: { subject: 'alice' }, consent: { session: { id_token: { email: 'alice@example.com' } } } });
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    const claims = tokens.claims();
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims?.sub ?? '');
    return { header: decodeProtectedHeader(tokens.id_token ?? ''), claims, userinfo, accessToken: tokens.access_token };
  }

  it('discovery lists RS256 alone at first, then every algorithm a key is added for; userinfo the same and "none"', async () => {
    const t = h.t;
    expect((await discovery(t)).id_token_signing_alg_values_supported).to.deep.equal(['RS256']);
    for (const alg of ['EdDSA', 'ES256', 'PS256']) {
      const res = await request(t.adminUrl, 'POST', `/admin/keys/${ID_TOKEN_SET}`, { json: { alg, kid: `id-${alg}` } });
      expect(res.status, res.text).to.equal(201);
    }
    const doc = await discovery(t);
    expect(doc.id_token_signing_alg_values_supported).to.deep.equal([...ALGS]);
    expect(doc['userinfo_signing_alg_values_supported']).to.deep.equal(['none', ...ALGS]);
  });

  for (const alg of ALGS) {
    it(`openid-client validates ${alg} ID tokens and ${alg}-signed userinfo (application/jwt)`, async () => {
      const t = h.t;
      const client = await createClient(t.adminUrl, {
        redirect_uris: [REDIRECT],
        scope: 'openid',
        id_token_signed_response_alg: alg,
        userinfo_signed_response_alg: alg,
      });
      const { header, claims, userinfo, accessToken } = await signIn(t, client, { id_token_signed_response_alg: alg, userinfo_signed_response_alg: alg });
      expect(header.alg).to.equal(alg);
      expect(claims?.sub).to.equal('alice');
      expect(userinfo).to.include({ sub: 'alice', email: 'alice@example.com' });

      const raw = await request(t.publicUrl, 'GET', '/userinfo', { headers: { authorization: `Bearer ${accessToken}` } });
      expect(raw.status).to.equal(200);
      expect(raw.headers.get('content-type')).to.match(/^application\/jwt/);
      const { payload, protectedHeader } = await jwtVerify(raw.text, createRemoteJWKSet(new URL(`${t.publicUrl}/.well-known/jwks.json`)), {
        issuer: t.config.urls.self.issuer,
        audience: client.client_id,
        algorithms: [alg],
      });
      expect(protectedHeader.alg).to.equal(alg);
      expect(payload).to.include({ sub: 'alice', email: 'alice@example.com' });
    });
  }

  it('userinfo stays plain JSON for a client without userinfo_signed_response_alg', async () => {
    const t = h.t;
    const client = await createClient(t.adminUrl, { redirect_uris: [REDIRECT], scope: 'openid' });
    expect(client['userinfo_signed_response_alg']).to.equal('none');
    const { userinfo } = await signIn(t, client, {});
    expect(userinfo).to.include({ sub: 'alice' });
  });

  it('registration refuses an algorithm no key can sign, or that is not a signature algorithm', async () => {
    const t = h.t;
    for (const [field, alg] of [
      ['userinfo_signed_response_alg', 'ES384'],
      ['userinfo_signed_response_alg', 'HS256'],
      ['id_token_signed_response_alg', 'RS512'],
      ['access_token_signed_response_alg', 'EdDSA'],
      ['access_token_signed_response_alg', 'none'],
    ] as const) {
      const res = await request<{ error: string; error_description: string }>(t.adminUrl, 'POST', '/admin/clients', { json: { redirect_uris: [REDIRECT], [field]: alg } });
      expect(res.status, `${field}=${alg}: ${res.text}`).to.equal(400);
      expect(res.body.error).to.equal('invalid_client_metadata');
      expect(res.body.error_description).to.include(field);
    }
  });
});
