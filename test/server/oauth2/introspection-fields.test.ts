import { expect } from 'chai';
import { Configuration, OAuth2Api } from '@ory/hydra-client';
import { describeEachBackend } from '../../helpers/databases.js';
import { useTessera, type Running } from '../../helpers/tessera.js';
import { basic, createClient, form, type CreatedClient } from '../../helpers/clients.js';
import { FLOW_URLS } from '../../helpers/flow.js';
import { request } from '../../helpers/http.js';
import { obtainTokens } from '../../e2e/tokens-helpers.js';

/*
 * Which fields introspection sends, for every kind of token, as Hydra's
 * Introspection struct does (oauth2/introspector.go, written by
 * introspectOAuth2Token in oauth2/handler.go): `scope` and `ext` are
 * `omitempty` (absent when empty, whatever the grant); `client_id`, `sub`,
 * `exp`, `iat`, `nbf`, `aud` ([] rather than absent), `iss`, `token_type` and
 * `token_use` are always there; `username` (password grant only) and
 * `obfuscated_subject` (pairwise only) never apply. The same body comes from
 * the fast lane, from koa (the trailing-slash path) and through
 * @ory/hydra-client's `introspectOAuth2Token`.
 */

type Body = Record<string, unknown>;

const REDIRECT = 'http://127.0.0.1:9999/callback';
const ALWAYS = ['active', 'aud', 'client_id', 'exp', 'iat', 'iss', 'nbf', 'sub', 'token_type', 'token_use'];
const keys = (...extra: string[]) => [...ALWAYS, ...extra].sort();

describeEachBackend('introspection fields, per grant, as Hydra sends them', (backend) => {
  const harness = useTessera(backend, FLOW_URLS);
  let t: Running;
  let hydra: OAuth2Api;
  let machine: CreatedClient;
  let app: CreatedClient;

  before(async () => {
    t = harness.t;
    hydra = new OAuth2Api(new Configuration({ basePath: t.adminUrl }));
    machine = await createClient(t.adminUrl, { grant_types: ['client_credentials'], scope: 'read write' });
    app = await createClient(t.adminUrl, {
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid offline_access',
    });
  });

  async function clientCredentials(scope?: string): Promise<string> {
    const f = form({ grant_type: 'client_credentials', ...(scope !== undefined ? { scope } : {}) });
    const res = await request<{ access_token: string }>(t.publicUrl, 'POST', '/oauth2/token', {
      body: f.body,
      headers: { ...f.headers, authorization: basic(machine.client_id, machine.client_secret) },
    });
    expect(res.status, res.text).to.equal(200);
    return res.body.access_token;
  }

  /** The fast lane's answer, after checking that koa and @ory/hydra-client see the very same body. */
  async function introspected(token: string): Promise<Body> {
    const f = form({ token });
    const lane = await request<Body>(t.adminUrl, 'POST', '/admin/oauth2/introspect', f);
    const koa = await request<Body>(t.adminUrl, 'POST', '/admin/oauth2/introspect/', f);
    expect(lane.status, lane.text).to.equal(200);
    expect(koa.status, koa.text).to.equal(200);
    expect(koa.body, 'koa answers as the fast lane').to.deep.equal(lane.body);
    const { data } = await hydra.introspectOAuth2Token({ token });
    expect(data, '@ory/hydra-client reads the same').to.deep.equal(lane.body);
    return lane.body;
  }

  it('client_credentials without scope: no scope, no ext; sub is the client, aud is []', async () => {
    const body = await introspected(await clientCredentials());
    expect(Object.keys(body).sort()).to.deep.equal(keys());
    expect(body).to.include({ active: true, client_id: machine.client_id, sub: machine.client_id, token_type: 'Bearer', token_use: 'access_token' });
    expect(body['iss']).to.equal(t.config.urls.self.issuer);
    expect(body['aud']).to.deep.equal([]);
    expect(body['nbf']).to.equal(body['iat']);
  });

  it('client_credentials with scope: the scope, still no ext', async () => {
    const body = await introspected(await clientCredentials('read'));
    expect(Object.keys(body).sort()).to.deep.equal(keys('scope'));
    expect(body['scope']).to.equal('read');
  });

  it('a user token without session claims: no ext, on the access and the refresh token', async () => {
    const tokens = await obtainTokens(t, app, { scope: 'openid offline_access', redirectUri: REDIRECT, consent: { session: { access_token: {} } } });
    for (const [token, use] of [[tokens.access_token, 'access_token'], [tokens.refresh_token ?? '', 'refresh_token']] as const) {
      const body = await introspected(token);
      expect(Object.keys(body).sort(), use).to.deep.equal(keys('scope'));
      expect(body, use).to.include({ sub: 'user-1', client_id: app.client_id, token_use: use, scope: 'openid offline_access' });
      expect(body['aud'], use).to.deep.equal([]);
    }
  });

  it('a user token whose consent left out `session`: no ext either', async () => {
    const tokens = await obtainTokens(t, app, { scope: 'openid offline_access', redirectUri: REDIRECT });
    expect(Object.keys(await introspected(tokens.access_token)).sort()).to.deep.equal(keys('scope'));
  });

  it('a user token with session.access_token claims: ext carries them, on both tokens', async () => {
    const claims = { tier: 'gold', quota: 7 };
    const tokens = await obtainTokens(t, app, { scope: 'openid offline_access', redirectUri: REDIRECT, consent: { session: { access_token: claims } } });
    for (const token of [tokens.access_token, tokens.refresh_token ?? '']) {
      const body = await introspected(token);
      expect(Object.keys(body).sort()).to.deep.equal(keys('ext', 'scope'));
      expect(body['ext']).to.deep.equal(claims);
    }
  });

  it('an inactive token is only {active: false}, on every path', async () => {
    expect(await introspected(`ory_at_${'A'.repeat(43)}.${'B'.repeat(43)}`)).to.deep.equal({ active: false });
  });
});
