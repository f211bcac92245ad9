import { expect } from 'chai';
import * as oidc from 'openid-client';
import * as jose from 'jose';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera } from '../helpers/tessera.js';
import { createClient, form } from '../helpers/clients.js';
import { Browser } from '../helpers/browser.js';
import { request } from '../helpers/http.js';
import { trustedIssuer } from '../helpers/trust.js';
import { approve, DEVICE_GRANT, DEVICE_URLS } from './device-support.js';

/*
 * RFC 9449 §5 on the grants dpop.test.ts does not drive: the device code
 * grant (RFC 8628), the jwt-bearer grant (RFC 7523) and token exchange
 * (RFC 8693), through
 * openid-client's pollDeviceAuthorizationGrant and genericGrantRequest with
 * a DPoP handle.
 */

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

describeEachBackend('DPoP on the device code and jwt-bearer grants (RFC 9449 §5)', (backend) => {
  const h = useTessera(backend, {
    ...DEVICE_URLS,
    oauth2: { device_authorization: { token_polling_interval: '1s' } },
    oidc: { dynamic_client_registration: { enabled: true } },
  });
  const insecure = { execute: [oidc.allowInsecureRequests] };
  const introspect = async (token: string) => (await request<Record<string, unknown>>(h.t.adminUrl, 'POST', '/admin/oauth2/introspect', form({ token }))).body;

  it('the device code grant binds the access token and, for a public device, the refresh token', async () => {
    const tv = await createClient(h.t.adminUrl, { grant_types: [DEVICE_GRANT, 'refresh_token'], token_endpoint_auth_method: 'none', scope: 'openid offline_access' });
    const config = await oidc.discovery(new URL(h.t.config.urls.self.issuer), tv.client_id, undefined, oidc.None(), insecure);
    const pair = await oidc.randomDPoPKeyPair();
    const DPoP = oidc.getDPoPHandle(config, pair);
    const started = await oidc.initiateDeviceAuthorization(config, { scope: 'openid offline_access' });
    const shown = await approve(new Browser(), h.t, started.user_code, { login: { subject: 'alice' } });
    expect(shown.status, shown.body).to.equal(302);
    const tokens = await oidc.pollDeviceAuthorizationGrant(config, started, undefined, { DPoP });
    expect(tokens.token_type.toLowerCase()).to.equal('dpop');
    const jkt = await jose.calculateJwkThumbprint(await jose.exportJWK(pair.publicKey));
    expect(await introspect(tokens.access_token)).to.deep.include({ token_type: 'DPoP', cnf: { jkt } });
    expect(await introspect(tokens.refresh_token ?? '')).to.deep.include({ cnf: { jkt } });
    expect((await oidc.fetchUserInfo(config, tokens.access_token, 'alice', { DPoP })).sub).to.equal('alice');
  });

  it('the jwt-bearer grant binds the access token', async () => {
    const client = await createClient(h.t.adminUrl, { grant_types: [JWT_BEARER], scope: 'read' });
    const trusted = await trustedIssuer(h.t.adminUrl, `${h.t.config.urls.self.issuer}/oauth2/token`, { issuer: 'https://issuer.example', subject: 'alice', scope: ['read'] });
    const assertion = await trusted.assertion();
    const config = await oidc.discovery(new URL(h.t.config.urls.self.issuer), client.client_id, undefined, oidc.ClientSecretBasic(client.client_secret), insecure);
    const pair = await oidc.randomDPoPKeyPair();
    const tokens = await oidc.genericGrantRequest(config, JWT_BEARER, { assertion, scope: 'read' }, { DPoP: oidc.getDPoPHandle(config, pair) });
    expect(tokens.token_type.toLowerCase()).to.equal('dpop');
    const jkt = await jose.calculateJwkThumbprint(await jose.exportJWK(pair.publicKey));
    expect(await introspect(tokens.access_token)).to.deep.include({ sub: 'alice', token_type: 'DPoP', cnf: { jkt } });
  });

  it('token exchange takes a bound subject token only with a proof by its key, and binds what it issues to it', async () => {
    const app = await createClient(h.t.adminUrl, { grant_types: ['client_credentials'], scope: 'read' });
    const service = await createClient(h.t.adminUrl, { grant_types: [TOKEN_EXCHANGE], scope: 'read', allow_token_exchange_impersonation: true });
    const discover = (c: { client_id: string; client_secret: string }) =>
      oidc.discovery(new URL(h.t.config.urls.self.issuer), c.client_id, undefined, oidc.ClientSecretBasic(c.client_secret), insecure);
    const [appConfig, serviceConfig] = await Promise.all([discover(app), discover(service)]);
    const pair = await oidc.randomDPoPKeyPair();
    const jkt = await jose.calculateJwkThumbprint(await jose.exportJWK(pair.publicKey));
    const bound = await oidc.clientCredentialsGrant(appConfig, { scope: 'read' }, { DPoP: oidc.getDPoPHandle(appConfig, pair) });
    const exchange = (DPoP?: oidc.DPoPHandle) =>
      oidc.genericGrantRequest(serviceConfig, TOKEN_EXCHANGE, { subject_token: bound.access_token, subject_token_type: ACCESS_TOKEN_TYPE }, DPoP ? { DPoP } : {});
    const refusal = async (attempt: Promise<unknown>) => {
      const err = await attempt.then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(oidc.ResponseBodyError);
      return (err as oidc.ResponseBodyError).error;
    };
    expect(await refusal(exchange()), 'no proof').to.equal('invalid_request');
    expect(await refusal(exchange(oidc.getDPoPHandle(serviceConfig, await oidc.randomDPoPKeyPair()))), 'a proof by another key').to.equal('invalid_request');
    const exchanged = await exchange(oidc.getDPoPHandle(serviceConfig, pair));
    expect(exchanged.token_type.toLowerCase()).to.equal('dpop');
    expect(await introspect(exchanged.access_token)).to.deep.include({ active: true, token_type: 'DPoP', cnf: { jkt } });
  });

  it('dynamic registration keeps dpop_bound_access_tokens (RFC 9449 §5.2, RFC 7591)', async () => {
    const registered = await request<Record<string, unknown>>(h.t.publicUrl, 'POST', '/oauth2/register', {
      json: { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic', dpop_bound_access_tokens: true },
    });
    expect(registered.status, registered.text).to.equal(201);
    expect(registered.body['dpop_bound_access_tokens']).to.equal(true);
    const read = await request<Record<string, unknown>>(h.t.publicUrl, 'GET', `/oauth2/register/${String(registered.body['client_id'])}`, {
      headers: { authorization: `Bearer ${String(registered.body['registration_access_token'])}` },
    });
    expect(read.status, read.text).to.equal(200);
    expect(read.body['dpop_bound_access_tokens']).to.equal(true);
  });
});
