import { expect } from 'chai';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import * as oidc from 'openid-client';
import type { DiscoveryDocument, JsonWebKey, JsonWebKeySet } from '@tessera/sdk';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera, type Running } from '../helpers/tessera.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { Browser } from '../helpers/browser.js';
import { FLOW_URLS, runFlow } from '../helpers/flow.js';
import { request } from '../helpers/http.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { sleep } from './tokens-helpers.js';

/*
 * README "Which key signs": an ID token (and a logout token) is signed with
 * the client's id_token_signed_response_alg (OIDC Registration §2, default
 * RS256), by the newest key of that algorithm in hydra.openid.id-token that
 * has been published for keys.pre_publication; discovery lists what the set
 * can sign. Checked with openid-client as a relying party would, and jose.
 */

const ID_TOKEN_SET = 'hydra.openid.id-token';
const REDIRECT = 'http://127.0.0.1:9999/callback';
const PRE_PUBLICATION_MS = 2_000;

describeEachBackend('ID-token signing keys', (backend) => {
  // The back-channel receiver listens on 127.0.0.1 (refused by default: issue 12, class 9).
  const h = useTessera(backend, {
    ...FLOW_URLS,
    keys: { pre_publication: `${PRE_PUBLICATION_MS}ms` },
    oauth2: { backchannel_logout: { allow_private_networks: true } },
  });
  let t: Running;
  let receiver: Receiver;
  let initialKid: string;

  const admin = <T>(method: string, path: string, json?: unknown) => request<T>(t.adminUrl, method, path, json === undefined ? {} : { json });
  const addKey = async (alg: string, kid: string): Promise<JsonWebKey & { createdAround: number }> => {
    const res = await admin<JsonWebKeySet>('POST', `/admin/keys/${ID_TOKEN_SET}`, { alg, kid });
    expect(res.status, res.text).to.equal(201);
    return { ...(res.body.keys[0] as JsonWebKey), createdAround: Date.now() };
  };
  const discoveryAlgs = async () =>
    (await request<DiscoveryDocument>(t.publicUrl, 'GET', '/.well-known/openid-configuration')).body.id_token_signing_alg_values_supported;
  const register = (extra: Record<string, unknown> = {}) =>
    createClient(t.adminUrl, { redirect_uris: [REDIRECT], scope: 'openid', backchannel_logout_uri: receiver.url, ...extra });

  /** A sign-in by a relying party using openid-client; returns the verified ID token's header. */
  async function signIn(client: CreatedClient, subject: string, metadata: Partial<oidc.ClientMetadata> = {}) {
    const config = await oidc.discovery(
      new URL(t.config.urls.self.issuer),
      client.client_id,
      { client_secret: client.client_secret, ...metadata },
      oidc.ClientSecretBasic(client.client_secret),
      { execute: [oidc.allowInsecureRequests] },
    );
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const callback = await runFlow(new Browser(), t.adminUrl, url.href, { login: { subject, remember: true } });
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    const idToken = tokens.id_token ?? '';
    // jose against the published JWKS, with only the algorithm the client expects.
    const jwks = (await request<JSONWebKeySet>(t.publicUrl, 'GET', '/.well-known/jwks.json')).body;
    const alg = metadata.id_token_signed_response_alg ?? 'RS256';
    const { protectedHeader } = await jwtVerify(idToken, createLocalJWKSet(jwks), { issuer: t.config.urls.self.issuer, audience: client.client_id, algorithms: [alg] });
    return protectedHeader;
  }

  before(async () => {
    t = h.t;
    receiver = await startReceiver();
    const keys = (await admin<JsonWebKeySet>('GET', `/admin/keys/${ID_TOKEN_SET}`)).body.keys;
    initialKid = keys[0]?.kid ?? '';
  });
  after(async () => {
    await receiver?.close();
  });

  it('discovery lists RS256 alone while the set holds only the RS256 key created on first start', async () => {
    expect(await discoveryAlgs()).to.deep.equal(['RS256']);
  });

  it('adding ES256 and EdDSA keys changes nothing for a default client: RS256 from the same key; discovery lists all three', async () => {
    await addKey('ES256', 'es-1');
    await addKey('EdDSA', 'ed-1');
    expect(await discoveryAlgs()).to.deep.equal(['RS256', 'ES256', 'EdDSA']);
    const client = await register();
    expect(client['id_token_signed_response_alg']).to.equal('RS256');
    await sleep(PRE_PUBLICATION_MS + 100);
    // openid-client without an alg of its own checks the header against discovery, and jose against RS256.
    expect(await signIn(client, 'default-alg')).to.include({ alg: 'RS256', kid: initialKid, typ: 'JWT' });
  });

  it('a client registered for ES256 gets ES256 ID tokens and ES256 logout tokens', async () => {
    const client = await register({ id_token_signed_response_alg: 'ES256', backchannel_logout_session_required: true });
    expect(client['id_token_signed_response_alg']).to.equal('ES256');
    expect(await signIn(client, 'es-user', { id_token_signed_response_alg: 'ES256' })).to.include({ alg: 'ES256', kid: 'es-1' });

    const before = receiver.bodies.length;
    expect((await admin('DELETE', '/admin/oauth2/auth/sessions/login?subject=es-user')).status).to.equal(204);
    await receiver.waitFor(before + 1);
    const logoutToken = new URLSearchParams(receiver.bodies[before]).get('logout_token') ?? '';
    expect(decodeProtectedHeader(logoutToken)).to.include({ alg: 'ES256', kid: 'es-1', typ: 'logout+jwt' });
  });

  it('refuses to register an algorithm no key of the set can sign, or one that is not a signature', async () => {
    for (const alg of ['ES384', 'none', 'HS256', 'RS256 ']) {
      const res = await admin<{ error: string; error_description: string }>('POST', '/admin/clients', { redirect_uris: [REDIRECT], id_token_signed_response_alg: alg });
      expect(res.status, `${alg}: ${res.text}`).to.equal(400);
      expect(res.body.error, alg).to.equal('invalid_client_metadata');
      expect(res.body.error_description, alg).to.include('id_token_signed_response_alg');
    }
  });

  it('a new key of the same algorithm signs only once published for keys.pre_publication; deleting the older ones hands over at once', async () => {
    const client = await register({ id_token_signed_response_alg: 'ES256' });
    const second = await addKey('ES256', 'es-2');
    const published = (await request<JSONWebKeySet>(t.publicUrl, 'GET', '/.well-known/jwks.json')).body.keys.map((k) => k.kid);
    expect(published).to.include.members(['es-1', 'es-2']);
    expect((await signIn(client, 'rotating', { id_token_signed_response_alg: 'ES256' })).kid).to.equal('es-1');

    await sleep(Math.max(0, second.createdAround + PRE_PUBLICATION_MS + 100 - Date.now()));
    expect((await signIn(client, 'rotating', { id_token_signed_response_alg: 'ES256' })).kid).to.equal('es-2');

    // A third key, then an emergency: every older key removed, so the newest is the only one left and signs at once.
    await addKey('ES256', 'es-3');
    expect((await signIn(client, 'rotating', { id_token_signed_response_alg: 'ES256' })).kid).to.equal('es-2');
    for (const kid of ['es-1', 'es-2']) expect((await admin('DELETE', `/admin/keys/${ID_TOKEN_SET}/${kid}`)).status).to.equal(204);
    expect((await signIn(client, 'rotating', { id_token_signed_response_alg: 'ES256' })).kid).to.equal('es-3');
  });

  it('discovery drops an algorithm whose last key is deleted; RS256 stays, and is recreated when its keys are gone', async () => {
    expect((await admin('DELETE', `/admin/keys/${ID_TOKEN_SET}/ed-1`)).status).to.equal(204);
    expect(await discoveryAlgs()).to.deep.equal(['RS256', 'ES256']);

    expect((await admin('DELETE', `/admin/keys/${ID_TOKEN_SET}/${initialKid}`)).status).to.equal(204);
    expect(await discoveryAlgs()).to.deep.equal(['RS256', 'ES256']);
    const header = await signIn(await register(), 'after-rs256-gone');
    expect(header.alg).to.equal('RS256');
    expect(header.kid).not.to.equal(initialKid);
    const rsKeys = (await admin<JsonWebKeySet>('GET', `/admin/keys/${ID_TOKEN_SET}`)).body.keys.filter((k) => k.alg === 'RS256');
    expect(rsKeys.map((k) => k.kid)).to.deep.equal([header.kid]);
  });
});
