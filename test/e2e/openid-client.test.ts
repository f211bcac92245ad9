import { expect } from 'chai';
import * as oidc from 'openid-client';
import { describeEachBackend, type Database } from '../helpers/databases.js';
import { startTessera, type Running } from '../helpers/tessera.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { Browser } from '../helpers/browser.js';
import { FLOW_URLS, runFlow } from '../helpers/flow.js';
import { request } from '../helpers/http.js';

const REDIRECT = 'http://127.0.0.1:9999/callback';

describeEachBackend('a relying party on openid-client', (backend) => {
  let db: Database;
  let t: Running;
  let registered: CreatedClient;
  let config: oidc.Configuration;

  before(async () => {
    db = await backend.create();
    t = await startTessera(db, FLOW_URLS);
    registered = await createClient(t.adminUrl, {
      client_name: 'RP',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid offline_access profile email',
    });
    config = await oidc.discovery(new URL(t.config.urls.self.issuer), registered.client_id, undefined, oidc.ClientSecretBasic(registered.client_secret), {
      execute: [oidc.allowInsecureRequests],
    });
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  it('completes discovery → PKCE → login → consent → code → tokens → refresh → userinfo', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid offline_access email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const callback = await runFlow(new Browser(), t.adminUrl, url.href, {
      login: { subject: 'alice', acr: 'urn:acr:pwd', amr: ['pwd'] },
      consent: { session: { id_token: { email: 'alice@example.com', email_verified: true, sub: 'mallory' }, access_token: { tier: 'gold' } } },
    });
    expect(callback.searchParams.get('iss')).to.equal(t.config.urls.self.issuer);

    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    expect(tokens.access_token).to.match(/^ory_at_/);
    expect(tokens.refresh_token).to.match(/^ory_rt_/);
    expect(tokens.token_type).to.equal('bearer');
    const claims = tokens.claims();
    expect(claims).to.include({ sub: 'alice', email: 'alice@example.com', acr: 'urn:acr:pwd' });
    expect(claims?.amr).to.deep.equal(['pwd']);
    expect(claims?.sid).to.be.a('string');
    expect(claims?.auth_time).to.be.a('number');

    const info = await oidc.fetchUserInfo(config, tokens.access_token, 'alice');
    expect(info).to.deep.equal({ sub: 'alice', email: 'alice@example.com', email_verified: true });

    const introspected = await request<Record<string, unknown>>(t.adminUrl, 'POST', '/admin/oauth2/introspect', {
      body: `token=${encodeURIComponent(tokens.access_token)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(introspected.body).to.include({ active: true, sub: 'alice', client_id: registered.client_id, scope: 'openid offline_access email' });
    expect(introspected.body['ext']).to.deep.equal({ tier: 'gold' });

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token ?? '');
    expect(refreshed.refresh_token).to.match(/^ory_rt_/);
    expect(refreshed.refresh_token).not.to.equal(tokens.refresh_token);
    expect(refreshed.claims()?.sub).to.equal('alice');
    const again = await oidc.fetchUserInfo(config, refreshed.access_token, 'alice');
    expect(again.sub).to.equal('alice');
  });
});
