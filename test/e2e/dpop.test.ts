import { expect } from 'chai';
import * as oidc from 'openid-client';
import { calculateJwkThumbprint, decodeJwt, exportJWK } from 'jose';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera } from '../helpers/tessera.js';
import { basic, createClient, form, type CreatedClient } from '../helpers/clients.js';
import { Browser } from '../helpers/browser.js';
import { FLOW_URLS, runFlow } from '../helpers/flow.js';
import { request } from '../helpers/http.js';

/*
 * Issue 17 item 2: DPoP (RFC 9449), driven by openid-client v6's own DPoP
 * support (getDPoPHandle: it signs a proof per request, retries on
 * use_dpop_nonce). Proof checks one by one are in dpop-proofs.test.ts.
 */

const REDIRECT = 'http://127.0.0.1:9999/callback';
const STATE = 'state-0123456789';

/** The error openid-client throws for an error answer (ResponseBodyError: `error`, `error_description`). */
async function failure(promise: Promise<unknown>): Promise<{ error?: string; error_description?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { error?: string; error_description?: string };
  }
  throw new Error('expected the request to fail');
}

const thumbprint = async (pair: Awaited<ReturnType<typeof oidc.randomDPoPKeyPair>>) => calculateJwkThumbprint(await exportJWK(pair.publicKey));

describeEachBackend('DPoP with openid-client (RFC 9449)', (backend) => {
  const h = useTessera(backend, FLOW_URLS);
  let confidential: CreatedClient;
  let spa: CreatedClient;
  let config: oidc.Configuration;
  let publicConfig: oidc.Configuration;

  before(async () => {
    confidential = await createClient(h.t.adminUrl, { redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'], scope: 'openid offline_access' });
    spa = await createClient(h.t.adminUrl, { redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'], scope: 'openid offline_access', token_endpoint_auth_method: 'none' });
    const issuer = new URL(h.t.config.urls.self.issuer);
    const insecure = { execute: [oidc.allowInsecureRequests] };
    config = await oidc.discovery(issuer, confidential.client_id, undefined, oidc.ClientSecretBasic(confidential.client_secret), insecure);
    publicConfig = await oidc.discovery(issuer, spa.client_id, undefined, oidc.None(), insecure);
  });

  const introspect = async (token: string) =>
    (await request<Record<string, unknown>>(h.t.adminUrl, 'POST', '/admin/oauth2/introspect', form({ token }))).body;

  /** A PKCE code flow through a browser; `push` sends it through PAR with the proof of `dpop`. */
  async function codeFlow(c: oidc.Configuration, options: { dpop?: oidc.DPoPHandle; push?: boolean; extra?: Record<string, string> } = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const params = {
      redirect_uri: REDIRECT,
      scope: 'openid offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: STATE,
      ...options.extra,
    };
    const url = options.push ? await oidc.buildAuthorizationUrlWithPAR(c, params, options.dpop ? { DPoP: options.dpop } : {}) : oidc.buildAuthorizationUrl(c, params);
    const callback = await runFlow(new Browser(), h.t.adminUrl, url.href, { login: { subject: 'alice' } });
    return { callback, verifier };
  }

  it('is advertised in discovery', async () => {
    const res = await request<Record<string, unknown>>(h.t.publicUrl, 'GET', '/.well-known/openid-configuration');
    expect(res.body['dpop_signing_alg_values_supported']).to.deep.equal(['ES256', 'EdDSA', 'Ed25519', 'PS256', 'RS256']);
  });

  it('PAR + DPoP + PKCE: the code is bound at PAR, the tokens to the key; userinfo with the DPoP scheme; introspection names the key', async () => {
    const pair = await oidc.randomDPoPKeyPair();
    const dpop = oidc.getDPoPHandle(config, pair);
    const { callback, verifier } = await codeFlow(config, { dpop, push: true });
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: STATE, idTokenExpected: true }, undefined, { DPoP: dpop });
    expect(tokens.token_type.toLowerCase()).to.equal('dpop');
    const info = await oidc.fetchUserInfo(config, tokens.access_token, 'alice', { DPoP: dpop });
    expect(info.sub).to.equal('alice');

    const jkt = await thumbprint(pair);
    expect(await introspect(tokens.access_token)).to.deep.include({ active: true, token_type: 'DPoP', token_use: 'access_token', cnf: { jkt } });
    // A confidential client's refresh token is not bound (RFC 9449 §5): it authenticates instead.
    const refresh = await introspect(tokens.refresh_token ?? '');
    expect(refresh).to.include({ active: true, token_type: 'Bearer' });
    expect(refresh).not.to.have.property('cnf');

    // Presented as a bearer token, it is refused (§7.2), naming the DPoP scheme.
    const asBearer = await request(h.t.publicUrl, 'GET', '/userinfo', { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(asBearer.status).to.equal(401);
    expect(asBearer.headers.get('www-authenticate')).to.match(/^DPoP realm="tessera", error="invalid_token", algs="ES256 EdDSA Ed25519 PS256 RS256"$/);
  });

  it('a code pushed with a proof is exchanged only with a proof by the same key', async () => {
    const dpop = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair());
    const other = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair());
    const { callback, verifier } = await codeFlow(config, { dpop, push: true });
    const code = callback.searchParams.get('code') ?? '';
    const exchange = (headers: Record<string, string> = {}) =>
      request<Record<string, string>>(h.t.publicUrl, 'POST', '/oauth2/token', {
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(confidential.client_id, confidential.client_secret), ...headers },
      });
    const without = await exchange();
    expect(without.status).to.equal(400);
    expect(without.body['error']).to.equal('invalid_grant');
    expect((await failure(oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: STATE }, undefined, { DPoP: other }))).error_description).to.match(/DPoP key/);
    // The refusals spent nothing: the right key still gets its tokens.
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: STATE }, undefined, { DPoP: dpop });
    expect(tokens.token_type.toLowerCase()).to.equal('dpop');
  });

  it('dpop_jkt in the authorization request binds the code (RFC 9449 §10)', async () => {
    const pair = await oidc.randomDPoPKeyPair();
    const { callback, verifier } = await codeFlow(config, { extra: { dpop_jkt: await thumbprint(pair) } });
    const other = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair());
    expect((await failure(oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: STATE }, undefined, { DPoP: other }))).error_description).to.match(/DPoP key/);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: STATE }, undefined, { DPoP: oidc.getDPoPHandle(config, pair) });
    expect(await introspect(tokens.access_token)).to.deep.include({ cnf: { jkt: await thumbprint(pair) } });
  });

  it('a public client\'s refresh token is bound to its key: a refresh with another key, or none, is refused and revokes nothing', async () => {
    const pair = await oidc.randomDPoPKeyPair();
    const dpop = oidc.getDPoPHandle(publicConfig, pair);
    const { callback, verifier } = await codeFlow(publicConfig, { dpop, push: true });
    const tokens = await oidc.authorizationCodeGrant(publicConfig, callback, { pkceCodeVerifier: verifier, expectedState: STATE }, undefined, { DPoP: dpop });
    const refreshToken = tokens.refresh_token ?? '';
    expect(await introspect(refreshToken)).to.deep.include({ token_use: 'refresh_token', cnf: { jkt: await thumbprint(pair) } });

    const thief = oidc.getDPoPHandle(publicConfig, await oidc.randomDPoPKeyPair());
    expect((await failure(oidc.refreshTokenGrant(publicConfig, refreshToken, undefined, { DPoP: thief }))).error_description).to.match(/bound to a DPoP key/);
    expect((await failure(oidc.refreshTokenGrant(publicConfig, refreshToken))).error_description).to.match(/bound to a DPoP key/);
    expect(await introspect(tokens.access_token)).to.include({ active: true });

    const refreshed = await oidc.refreshTokenGrant(publicConfig, refreshToken, undefined, { DPoP: dpop });
    expect(refreshed.token_type.toLowerCase()).to.equal('dpop');
    expect(await introspect(refreshed.refresh_token ?? '')).to.deep.include({ cnf: { jkt: await thumbprint(pair) } });
    expect((await oidc.fetchUserInfo(publicConfig, refreshed.access_token, 'alice', { DPoP: dpop })).sub).to.equal('alice');
  });

  it('client_credentials with a proof: a DPoP-bound JWT access token carries cnf.jkt (RFC 9449 §6.1)', async () => {
    const service = await createClient(h.t.adminUrl, { grant_types: ['client_credentials'], scope: 'read', access_token_strategy: 'jwt' });
    const c = await oidc.discovery(new URL(h.t.config.urls.self.issuer), service.client_id, undefined, oidc.ClientSecretBasic(service.client_secret), {
      execute: [oidc.allowInsecureRequests],
    });
    const pair = await oidc.randomDPoPKeyPair('EdDSA');
    const tokens = await oidc.clientCredentialsGrant(c, { scope: 'read' }, { DPoP: oidc.getDPoPHandle(c, pair) });
    expect(tokens.token_type.toLowerCase()).to.equal('dpop');
    const jkt = await thumbprint(pair);
    expect(decodeJwt(tokens.access_token)['cnf']).to.deep.equal({ jkt });
    expect(await introspect(tokens.access_token)).to.deep.include({ token_type: 'DPoP', cnf: { jkt } });
    // Without a proof, the same client gets a bearer token, unbound.
    const bearer = await oidc.clientCredentialsGrant(c, { scope: 'read' });
    expect(bearer.token_type).to.equal('bearer');
    expect(decodeJwt(bearer.access_token)).not.to.have.property('cnf');
  });

  it('dpop_bound_access_tokens: the admin API keeps it, and the client\'s token requests need a proof (RFC 9449 §5.2)', async () => {
    const bound = await createClient(h.t.adminUrl, { grant_types: ['client_credentials'], dpop_bound_access_tokens: true });
    const read = await request<Record<string, unknown>>(h.t.adminUrl, 'GET', `/admin/clients/${bound.client_id}`);
    expect(read.body['dpop_bound_access_tokens']).to.equal(true);
    const plain = await request<Record<string, unknown>>(h.t.adminUrl, 'GET', `/admin/clients/${confidential.client_id}`);
    expect(plain.body).not.to.have.property('dpop_bound_access_tokens');

    const c = await oidc.discovery(new URL(h.t.config.urls.self.issuer), bound.client_id, undefined, oidc.ClientSecretBasic(bound.client_secret), {
      execute: [oidc.allowInsecureRequests],
    });
    expect((await failure(oidc.clientCredentialsGrant(c))).error_description).to.match(/must send a DPoP proof/);
    const tokens = await oidc.clientCredentialsGrant(c, {}, { DPoP: oidc.getDPoPHandle(c, await oidc.randomDPoPKeyPair()) });
    expect(tokens.token_type.toLowerCase()).to.equal('dpop');
  });
});

describeEachBackend('DPoP server nonces (RFC 9449 §8, §9)', (backend) => {
  const h = useTessera(backend, { ...FLOW_URLS, oauth2: { dpop: { nonce: { required: true } } } });

  it('openid-client retries with the DPoP-Nonce it is given, at the token endpoint and at userinfo', async () => {
    const service = await createClient(h.t.adminUrl, { grant_types: ['client_credentials'], scope: 'openid' });
    const c = await oidc.discovery(new URL(h.t.config.urls.self.issuer), service.client_id, undefined, oidc.ClientSecretBasic(service.client_secret), {
      execute: [oidc.allowInsecureRequests],
    });
    const dpop = oidc.getDPoPHandle(c, await oidc.randomDPoPKeyPair());
    const tokens = await oidc.clientCredentialsGrant(c, { scope: 'openid' }, { DPoP: dpop });
    expect(tokens.token_type.toLowerCase()).to.equal('dpop');
    const info = await oidc.fetchUserInfo(c, tokens.access_token, oidc.skipSubjectCheck, { DPoP: dpop });
    expect(info.sub).to.equal(service.client_id);
  });
});
