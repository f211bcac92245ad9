import { expect } from 'chai';
import { Configuration, OAuth2Api } from '@ory/hydra-client';
import { TesseraAdmin } from '@tessera/sdk';
import { describeEachBackend } from '../../helpers/databases.js';
import { TEST_SECRET, useTessera, type Running } from '../../helpers/tessera.js';
import { basic, createClient, form, type CreatedClient } from '../../helpers/clients.js';
import { FLOW_URLS } from '../../helpers/flow.js';
import { request } from '../../helpers/http.js';
import { authorize, exchange, introspect, obtainTokens, refresh } from '../../e2e/tokens-helpers.js';
import { createTokenStrategy } from '../../../server/src/tokens/hmac.js';

/*
 * DELETE /admin/oauth2/tokens?client_id= with Hydra's semantics
 * (oauth2/handler.go `deleteOAuth2Token`, persister `DeleteAccessTokens`):
 * every access token of that client is deleted from the database, and
 * nothing else: refresh tokens keep working, an unexchanged code can still be
 * exchanged, other clients are untouched. 204 whether or not anything was
 * there; no client_id is 400 invalid_request. Driven by @ory/hydra-client's
 * `deleteOAuth2Token`, by the SDK, and by plain HTTP for what the generated
 * client will not send.
 */

const REDIRECT = 'http://127.0.0.1:9999/callback';
const SCOPE = 'openid offline_access';
const strategy = createTokenStrategy([TEST_SECRET]);

describeEachBackend('DELETE /admin/oauth2/tokens (deleteOAuth2Token)', (backend) => {
  const harness = useTessera(backend, FLOW_URLS);
  let t: Running;
  let hydra: OAuth2Api;
  let app: CreatedClient;
  let bystander: CreatedClient;

  const registration = { redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token', 'client_credentials'], scope: SCOPE };

  before(async () => {
    t = harness.t;
    hydra = new OAuth2Api(new Configuration({ basePath: t.adminUrl }));
    app = await createClient(t.adminUrl, registration);
    bystander = await createClient(t.adminUrl, registration);
  });

  async function clientCredentials(c: CreatedClient): Promise<string> {
    const f = form({ grant_type: 'client_credentials' });
    const res = await request<{ access_token: string }>(t.publicUrl, 'POST', '/oauth2/token', {
      body: f.body,
      headers: { ...f.headers, authorization: basic(c.client_id, c.client_secret) },
    });
    expect(res.status, res.text).to.equal(200);
    return res.body.access_token;
  }

  /** The stored row of a token, read through the server's own store (undefined once deleted). */
  const row = (token: string) => t.tessera.storage.tokens.get(strategy.classify(token)?.signature ?? '');

  it('deletes every access token of the client, and only those rows', async () => {
    const user = await obtainTokens(t, app, { scope: SCOPE, redirectUri: REDIRECT });
    const machine = await clientCredentials(app);
    const other = await obtainTokens(t, bystander, { scope: SCOPE, redirectUri: REDIRECT });

    const res = await hydra.deleteOAuth2Token({ clientId: app.client_id });
    expect(res.status).to.equal(204);
    expect(res.data).to.equal('');

    for (const token of [user.access_token, machine]) {
      expect(await introspect(t, token)).to.deep.equal({ active: false });
      expect(await row(token), 'deleted, not merely revoked').to.equal(undefined);
    }
    // Hydra deletes from the access token table only.
    expect((await introspect(t, user.refresh_token ?? '')).active).to.equal(true);
    expect(await row(user.refresh_token ?? '')).to.include({ kind: 'refresh_token', revoked: false, usedAt: null });
    expect((await introspect(t, other.access_token)).active, "another client's token").to.equal(true);
  });

  it('leaves refresh tokens working: a refresh gets a fresh, active access token', async () => {
    const user = await obtainTokens(t, app, { scope: SCOPE, redirectUri: REDIRECT });
    await hydra.deleteOAuth2Token({ clientId: app.client_id });
    const next = await refresh(t, app, user.refresh_token ?? '');
    expect(next.status, next.text).to.equal(200);
    expect((await introspect(t, next.body.access_token)).active).to.equal(true);
  });

  it('leaves an unexchanged authorization code alone', async () => {
    const issued = await authorize(t, app.client_id, { scope: SCOPE, redirectUri: REDIRECT });
    await hydra.deleteOAuth2Token({ clientId: app.client_id });
    const res = await exchange(t, app, issued);
    expect(res.status, res.text).to.equal(200);
    expect((await introspect(t, res.body.access_token)).active).to.equal(true);
  });

  it('answers 204 for a client that has no tokens or does not exist', async () => {
    expect((await hydra.deleteOAuth2Token({ clientId: bystander.client_id.replace(/.$/, '#') })).status).to.equal(204);
    const fresh = await createClient(t.adminUrl, registration);
    expect((await hydra.deleteOAuth2Token({ clientId: fresh.client_id })).status).to.equal(204);
  });

  it('refuses a missing, empty or repeated client_id with 400 invalid_request (Hydra\'s hint), deleting nothing', async () => {
    const token = await clientCredentials(bystander);
    for (const query of ['', '?client_id=', '?client=x']) {
      const res = await request<{ error: string; error_description: string }>(t.adminUrl, 'DELETE', `/admin/oauth2/tokens${query}`);
      expect(res.status, `${query} ${res.text}`).to.equal(400);
      expect(res.body.error).to.equal('invalid_request');
      expect(res.body.error_description).to.contain("Query parameter 'client_id' is not defined but it should have been");
    }
    const twice = await request<{ error: string }>(t.adminUrl, 'DELETE', `/admin/oauth2/tokens?client_id=${bystander.client_id}&client_id=x`);
    expect(twice.status, twice.text).to.equal(400);
    expect(twice.body.error).to.equal('invalid_request');
    expect((await introspect(t, token)).active).to.equal(true);
  });

  it('is served without the /admin prefix too, and through the SDK', async () => {
    const first = await clientCredentials(app);
    const res = await request(t.adminUrl, 'DELETE', `/oauth2/tokens?client_id=${encodeURIComponent(app.client_id)}`);
    expect(res.status, res.text).to.equal(204);
    expect((await introspect(t, first)).active).to.equal(false);

    const second = await clientCredentials(app);
    await new TesseraAdmin({ baseUrl: t.adminUrl }).deleteAccessTokens(app.client_id);
    expect((await introspect(t, second)).active).to.equal(false);
  });
});
