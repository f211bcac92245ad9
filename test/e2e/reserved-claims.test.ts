import { expect } from 'chai';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera, type Running } from '../helpers/tessera.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { FLOW_URLS } from '../helpers/flow.js';
import { request } from '../helpers/http.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { introspect, obtainTokens, randomValue, refresh } from './tokens-helpers.js';

/*
 * README "Claims the issuer owns": a consent app's `session.id_token` claims
 * never set a claim the server owns, in any place they are merged (ID tokens
 * from the code and the refresh grant, userinfo), and `session.access_token`
 * claims stay nested under introspection's `ext`. Logout tokens carry no
 * consent claims at all. The consent is accepted; the claims are dropped (as
 * Hydra does).
 */

const REDIRECT = 'http://127.0.0.1:9999/callback';
/** Every claim the README lists as the issuer's. */
const RESERVED = [
  'iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'auth_time', 'nonce', 'acr', 'amr', 'azp', 'at_hash', 'c_hash', 's_hash',
  'rat', 'sid', 'events', 'typ', 'client_id', 'scope', 'scp', 'act', 'may_act', 'cnf', 'sub_jwk', '_claim_names', '_claim_sources',
];
/** A value no server-set claim can have, so any that survives is visible. */
const forged = (name: string) => `forged-${name}`;
const FORGED = Object.fromEntries(RESERVED.map((name) => [name, forged(name)]));
const CUSTOM = { email: 'alice@example.com', groups: ['admins'], tier: 'gold' };

function expectNoForgedClaim(claims: Record<string, unknown>, where: string): void {
  for (const name of RESERVED) expect(claims[name], `${where}: ${name}`).not.to.equal(forged(name));
  expect(claims, where).to.deep.include(CUSTOM);
}

describeEachBackend('claims the issuer owns', (backend) => {
  // The back-channel receiver listens on 127.0.0.1 (refused by default: issue 12, class 9).
  const h = useTessera(backend, { ...FLOW_URLS, oauth2: { backchannel_logout: { allow_private_networks: true } } });
  let t: Running;
  let client: CreatedClient;
  let receiver: Receiver;
  let tokens: { access_token: string; refresh_token?: string; id_token?: string };

  const verify = async (idToken: string): Promise<JWTPayload> => {
    const jwks = (await request<JSONWebKeySet>(t.publicUrl, 'GET', '/.well-known/jwks.json')).body;
    const { payload, protectedHeader } = await jwtVerify(idToken, createLocalJWKSet(jwks), { issuer: t.config.urls.self.issuer, audience: client.client_id });
    expect(protectedHeader.typ).to.equal('JWT');
    return payload;
  };

  before(async () => {
    t = h.t;
    receiver = await startReceiver();
    client = await createClient(t.adminUrl, {
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid offline_access',
      backchannel_logout_uri: receiver.url,
    });
    tokens = await obtainTokens(t, client, {
      scope: 'openid offline_access',
      redirectUri: REDIRECT,
      nonce: randomValue(),
      login: { subject: 'alice', remember: true, acr: 'urn:acr:pwd', amr: ['pwd'] },
      consent: { session: { id_token: { ...FORGED, ...CUSTOM }, access_token: { ...FORGED, active: false, token_use: 'forged', ...CUSTOM } } },
    });
  });
  after(async () => {
    await receiver?.close();
  });

  it('the consent is accepted, and the ID token of the code exchange keeps none of the forged claims', async () => {
    const payload = await verify(tokens.id_token ?? '');
    expectNoForgedClaim(payload, 'code exchange');
    expect(payload).to.include({ sub: 'alice', acr: 'urn:acr:pwd' });
    for (const absent of ['typ', 'cnf', 'events', 'act', 'may_act', 'client_id', 'scope', 'azp', '_claim_sources']) {
      expect(payload, absent).not.to.have.property(absent);
    }
  });

  it('userinfo keeps none of them', async () => {
    const res = await request<Record<string, unknown>>(t.publicUrl, 'GET', '/userinfo', { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(res.status, res.text).to.equal(200);
    expectNoForgedClaim(res.body, 'userinfo');
    expect(res.body['sub']).to.equal('alice');
  });

  it('introspection: access-token claims stay under ext; every top-level field is the server\'s', async () => {
    const answer = await introspect(t, tokens.access_token);
    expect(answer).to.include({ active: true, sub: 'alice', client_id: client.client_id, token_use: 'access_token', iss: t.config.urls.self.issuer });
    for (const [name, value] of Object.entries(answer)) {
      if (name !== 'ext') expect(value, name).not.to.equal(forged(name));
    }
    expect(answer['ext']).to.deep.include({ ...FORGED, active: false, ...CUSTOM });
  });

  it('the ID token of a refresh keeps none of them either (run last but one: it revokes the first access token)', async () => {
    const res = await refresh(t, client, tokens.refresh_token ?? '');
    expect(res.status, res.text).to.equal(200);
    expectNoForgedClaim(await verify(res.body.id_token ?? ''), 'refresh');
  });

  it('the back-channel logout token carries only the logout claims', async () => {
    const before = receiver.bodies.length;
    const ended = await request(t.adminUrl, 'DELETE', '/admin/oauth2/auth/sessions/login?subject=alice');
    expect(ended.status, ended.text).to.equal(204);
    await receiver.waitFor(before + 1);
    const logoutToken = new URLSearchParams(receiver.bodies[before]).get('logout_token') ?? '';
    const jwks = (await request<JSONWebKeySet>(t.publicUrl, 'GET', '/.well-known/jwks.json')).body;
    const { payload } = await jwtVerify(logoutToken, createLocalJWKSet(jwks), { issuer: t.config.urls.self.issuer, audience: client.client_id });
    expect(Object.keys(payload).sort()).to.deep.equal(['aud', 'events', 'exp', 'iat', 'iss', 'jti', 'sid', 'sub']);
  });
});
