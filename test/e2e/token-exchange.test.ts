import { expect } from 'chai';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera, type Running } from '../helpers/tessera.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { FLOW_URLS } from '../helpers/flow.js';
import { request } from '../helpers/http.js';
import { basicOf, expectError, introspect, obtainTokens, revoke, token, type TokenBody } from './tokens-helpers.js';

/*
 * Issue 17 item 4: token exchange (RFC 8693), an extension in Hydra's style.
 * Real HTTP against a started server: a user's tokens come from a browser
 * code flow, actor tokens from client_credentials, a foreign issuer's JWT
 * through the jwt-bearer trust API; `act` is read back through introspection
 * and from a JWT access token verified against the JWKS.
 */

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const AT = 'urn:ietf:params:oauth:token-type:access_token';
const JWT = 'urn:ietf:params:oauth:token-type:jwt';
const ID = 'urn:ietf:params:oauth:token-type:id_token';
const REDIRECT = 'http://127.0.0.1:9999/callback';
const DOWNSTREAM = 'https://downstream.example';

/** A clock the suite moves: expiry without sleeping. */
const clock = { offset: 0, now: () => Date.now() + clock.offset };

describeEachBackend('token exchange (RFC 8693)', (backend) => {
  const h = useTessera(backend, { ...FLOW_URLS, keys: { pre_publication: '0s' } }, { clock });
  let app: CreatedClient;
  let service: CreatedClient;
  let jwtService: CreatedClient;
  let user: TokenBody;

  before(async () => {
    const t = h.t;
    app = await createClient(t.adminUrl, {
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token', GRANT],
      scope: 'openid offline_access read write',
      allow_token_exchange_impersonation: true,
    });
    const exchanger = { grant_types: [GRANT, 'client_credentials'], scope: 'read write', audience: [DOWNSTREAM] };
    service = await createClient(t.adminUrl, exchanger);
    jwtService = await createClient(t.adminUrl, { ...exchanger, access_token_strategy: 'jwt' });
    user = await obtainTokens(t, app, { scope: 'openid offline_access read write', redirectUri: REDIRECT, nonce: 'nonce-0123456789', login: { subject: 'alice' } });
  });
  afterEach(() => {
    clock.offset = 0;
  });

  const exchange = (client: CreatedClient, params: Record<string, string>) => token(h.t, { grant_type: GRANT, ...params }, basicOf(client));
  const ownToken = async (client: CreatedClient) => {
    const res = await token(h.t, { grant_type: 'client_credentials', scope: 'read' }, basicOf(client));
    expect(res.status, res.text).to.equal(200);
    return res.body.access_token;
  };
  const delegate = async (client: CreatedClient, extra: Record<string, string> = {}) =>
    exchange(client, { subject_token: user.access_token, subject_token_type: AT, actor_token: await ownToken(client), actor_token_type: AT, ...extra });

  it('is advertised in discovery', async () => {
    const res = await request<{ grant_types_supported: string[] }>(h.t.publicUrl, 'GET', '/.well-known/openid-configuration');
    expect(res.body.grant_types_supported).to.include(GRANT);
  });

  it('delegation: the new token is the user\'s, carries act, shows it in introspection, and has no refresh token', async () => {
    const res = await delegate(service, { scope: 'read' });
    expect(res.status, res.text).to.equal(200);
    expect(res.body).to.include({ issued_token_type: AT, token_type: 'bearer', scope: 'read' });
    expect(res.body.refresh_token).to.equal(undefined);
    expect(res.body.expires_in).to.be.within(1, 3600);
    const seen = await introspect(h.t, res.body.access_token);
    expect(seen).to.include({ active: true, sub: 'alice', client_id: service.client_id, scope: 'read', token_use: 'access_token' });
    expect(seen['act']).to.deep.equal({ sub: service.client_id });
  });

  it('openid-client\'s genericGrantRequest performs a delegation', async () => {
    const config = await oidc.discovery(new URL(h.t.config.urls.self.issuer), service.client_id, undefined, oidc.ClientSecretBasic(service.client_secret), { execute: [oidc.allowInsecureRequests] });
    const tokens = await oidc.genericGrantRequest(config, GRANT, {
      subject_token: user.access_token,
      subject_token_type: AT,
      actor_token: await ownToken(service),
      actor_token_type: AT,
      scope: 'write',
    });
    expect(tokens).to.include({ issued_token_type: AT, token_type: 'bearer', scope: 'write' });
    expect((await introspect(h.t, tokens.access_token))).to.deep.include({ sub: 'alice', act: { sub: service.client_id } });
  });

  it('a JWT access token (requested_token_type jwt) carries act, nested after a second exchange; the JWKS verifies it', async () => {
    const first = await delegate(jwtService, { requested_token_type: JWT, audience: DOWNSTREAM });
    expect(first.status, first.text).to.equal(200);
    expect(first.body.issued_token_type).to.equal(JWT);
    const jwks = jose.createRemoteJWKSet(new URL(`${h.t.publicUrl}/.well-known/jwks.json`));
    const { payload } = await jose.jwtVerify(first.body.access_token, jwks, { issuer: h.t.config.urls.self.issuer, typ: 'at+jwt', audience: DOWNSTREAM });
    expect(payload).to.include({ sub: 'alice', client_id: jwtService.client_id, scope: 'read write' });
    expect(payload['act']).to.deep.equal({ sub: jwtService.client_id });

    // The delegated token is itself a subject token (of type jwt): the earlier actor nests (RFC 8693 §4.1).
    const second = await exchange(service, { subject_token: first.body.access_token, subject_token_type: JWT, actor_token: await ownToken(service), actor_token_type: AT, scope: 'read' });
    expect(second.status, second.text).to.equal(200);
    expect(second.body.issued_token_type).to.equal(AT);
    expect((await introspect(h.t, second.body.access_token))['act']).to.deep.equal({ sub: service.client_id, act: { sub: jwtService.client_id } });
  });

  it('impersonation (no actor_token) is refused unless the client allows it; then there is no act', async () => {
    expectError(await exchange(service, { subject_token: user.access_token, subject_token_type: AT }), 400, 'invalid_request');
    const res = await exchange(app, { subject_token: user.access_token, subject_token_type: AT, scope: 'read' });
    expect(res.status, res.text).to.equal(200);
    const seen = await introspect(h.t, res.body.access_token);
    expect(seen).to.include({ active: true, sub: 'alice', client_id: app.client_id });
    expect(seen).not.to.have.property('act');
  });

  it('only narrows: wider scope, audiences and resources the client may not have, and other token types are refused', async () => {
    const narrowed = await delegate(service, { resource: DOWNSTREAM });
    expect(narrowed.status, narrowed.text).to.equal(200);
    expect(narrowed.body.scope).to.equal('read write');
    expect((await introspect(h.t, narrowed.body.access_token))['aud']).to.deep.equal([DOWNSTREAM]);

    // The client's scope caps it too: `service` has no openid or offline_access, so a scope-less request leaves them out.
    const capped = await delegate(service);
    expect(capped.body.scope).to.equal('read write');
    const sub = await exchange(service, { subject_token: await ownToken(service), subject_token_type: AT, actor_token: await ownToken(service), actor_token_type: AT, scope: 'write' });
    expectError(sub, 400, 'invalid_scope', 'beyond the subject token\'s scope');
    expectError(await delegate(service, { scope: 'openid' }), 400, 'invalid_scope', 'beyond the client\'s scope');
    expectError(await delegate(service, { audience: 'https://elsewhere.example' }), 400, 'invalid_target');
    expectError(await delegate(service, { resource: 'https://elsewhere.example' }), 400, 'invalid_target');
    expectError(await delegate(service, { resource: 'not a uri' }), 400, 'invalid_target');
    expectError(await delegate(service, { requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' }), 400, 'invalid_request');
    expectError(await delegate(service, { requested_token_type: JWT }), 400, 'invalid_request', 'jwt for an opaque-token client');
  });

  it('refuses garbage, refresh tokens, unknown types, revoked and expired subject tokens with invalid_request', async () => {
    const actor = await ownToken(service);
    const tryWith = (subject: string, type = AT) => exchange(service, { subject_token: subject, subject_token_type: type, actor_token: actor, actor_token_type: AT });
    expectError(await tryWith('garbage'), 400, 'invalid_request', 'garbage');
    expectError(await tryWith('garbage', JWT), 400, 'invalid_request', 'garbage jwt');
    expectError(await tryWith(user.refresh_token ?? ''), 400, 'invalid_request', 'a refresh token');
    expectError(await tryWith(user.access_token, 'urn:ietf:params:oauth:token-type:saml2'), 400, 'invalid_request', 'saml2');
    expectError(await exchange(service, { subject_token: user.access_token }), 400, 'invalid_request', 'no subject_token_type');
    expectError(await exchange(service, { subject_token: user.access_token, subject_token_type: AT, actor_token: actor }), 400, 'invalid_request', 'no actor_token_type');

    const doomed = await obtainTokens(h.t, app, { scope: 'read', redirectUri: REDIRECT, login: { subject: 'bob' } });
    await revoke(h.t, app, doomed.access_token);
    const revoked = await tryWith(doomed.access_token);
    expectError(revoked, 400, 'invalid_request', 'revoked');
    expect(revoked.body.error_description).to.include('not active');

    const aging = await obtainTokens(h.t, app, { scope: 'read', redirectUri: REDIRECT, login: { subject: 'bob' } });
    clock.offset = 3601_000;
    const expired = await exchange(service, { subject_token: aging.access_token, subject_token_type: AT, actor_token: await ownToken(service), actor_token_type: AT });
    expectError(expired, 400, 'invalid_request', 'expired');
    expect(expired.body.error_description).to.include('subject_token').and.include('not active');
  });

  it('the issued token is revocable by its client; revoking the subject token does not revoke it, and it never outlives it', async () => {
    const subject = await obtainTokens(h.t, app, { scope: 'read', redirectUri: REDIRECT, login: { subject: 'carol' } });
    clock.offset = 1800_000;
    const res = await exchange(app, { subject_token: subject.access_token, subject_token_type: AT });
    expect(res.status, res.text).to.equal(200);
    expect(res.body.expires_in).to.be.at.most(1800);
    await revoke(h.t, app, subject.access_token);
    expect((await introspect(h.t, res.body.access_token)).active, 'a family of its own').to.equal(true);
    await revoke(h.t, app, res.body.access_token);
    expect((await introspect(h.t, res.body.access_token)).active).to.equal(false);
  });

  it('an ID token of ours is a subject token for the client it was issued to, without scope', async () => {
    const idToken = user.id_token ?? '';
    const res = await exchange(app, { subject_token: idToken, subject_token_type: ID });
    expect(res.status, res.text).to.equal(200);
    expect(res.body.scope).to.equal('');
    expect(await introspect(h.t, res.body.access_token)).to.include({ active: true, sub: 'alice' });
    expectError(await exchange(app, { subject_token: idToken, subject_token_type: ID, scope: 'read' }), 400, 'invalid_scope');
    expectError(await exchange(service, { subject_token: idToken, subject_token_type: ID, actor_token: await ownToken(service), actor_token_type: AT }), 400, 'invalid_request', 'issued to another client');
  });

  it('refuses clients without the grant, and public clients', async () => {
    const plain = await createClient(h.t.adminUrl, { grant_types: ['client_credentials'], scope: 'read' });
    expectError(await exchange(plain, { subject_token: user.access_token, subject_token_type: AT }), 400, 'unauthorized_client');
    const pub = await createClient(h.t.adminUrl, { grant_types: [GRANT], scope: 'read', token_endpoint_auth_method: 'none' });
    const res = await token(h.t, { grant_type: GRANT, client_id: pub.client_id, subject_token: user.access_token, subject_token_type: AT });
    expectError(res, 400, 'unauthorized_client');
  });

  it('round-trips allow_token_exchange_impersonation through the admin API (absent unless set)', async () => {
    const got = await request<Record<string, unknown>>(h.t.adminUrl, 'GET', `/admin/clients/${app.client_id}`);
    expect(got.body['allow_token_exchange_impersonation']).to.equal(true);
    expect(service['allow_token_exchange_impersonation']).to.equal(undefined);
    const bad = await request<Record<string, unknown>>(h.t.adminUrl, 'POST', '/admin/clients', { json: { allow_token_exchange_impersonation: 'yes' } });
    expect(bad.status).to.equal(400);
  });

  describe('a foreign issuer\'s JWT, trusted through the jwt-bearer trust API', () => {
    let keys: jose.GenerateKeyPairResult;
    const issuer = 'https://idp.partner.example';

    before(async () => {
      keys = await jose.generateKeyPair('ES256', { extractable: true });
      const jwk = { ...(await jose.exportJWK(keys.publicKey)), kid: 'partner-1', alg: 'ES256', use: 'sig' };
      const res = await request(h.t.adminUrl, 'POST', '/admin/trust/grants/jwt-bearer/issuers', {
        json: { issuer, allow_any_subject: true, scope: ['read'], jwk, expires_at: new Date(Date.now() + 86_400_000).toISOString() },
      });
      expect(res.status, res.text).to.equal(201);
    });

    const foreign = (sub: string, claims: Record<string, unknown> = {}, key: jose.GenerateKeyPairResult['privateKey'] = keys.privateKey, aud = `${h.t.config.urls.self.issuer}/oauth2/token`) =>
      new jose.SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'partner-1' }).setIssuer(issuer).setSubject(sub).setAudience(aud).setIssuedAt().setExpirationTime('10m').sign(key);

    it('is a subject token (jwt or id_token type) within the trust\'s scope; act names a foreign actor with its iss', async () => {
      const res = await exchange(service, { subject_token: await foreign('dave'), subject_token_type: JWT, actor_token: await ownToken(service), actor_token_type: AT });
      expect(res.status, res.text).to.equal(200);
      expect(res.body.scope).to.equal('read');
      expect(await introspect(h.t, res.body.access_token)).to.include({ sub: 'dave', client_id: service.client_id });

      const asId = await exchange(app, { subject_token: await foreign('erin', {}, keys.privateKey, app.client_id), subject_token_type: ID, actor_token: await foreign('robot'), actor_token_type: JWT });
      expect(asId.status, asId.text).to.equal(200);
      expect((await introspect(h.t, asId.body.access_token))['act']).to.deep.equal({ sub: 'robot', iss: issuer });
      expectError(await exchange(service, { subject_token: await foreign('dave'), subject_token_type: JWT, actor_token: await ownToken(service), actor_token_type: AT, scope: 'write' }), 400, 'invalid_scope');
    });

    it('refuses a forged signature, another audience, and an actor that may_act does not name', async () => {
      const actor = await ownToken(service);
      const stranger = await jose.generateKeyPair('ES256');
      const tryWith = async (subject: string) => exchange(service, { subject_token: subject, subject_token_type: JWT, actor_token: actor, actor_token_type: AT });
      expectError(await tryWith(await foreign('dave', {}, stranger.privateKey)), 400, 'invalid_request', 'forged');
      expectError(await tryWith(await foreign('dave', {}, keys.privateKey, 'https://someone-else.example')), 400, 'invalid_request', 'audience');
      const notNamed = await tryWith(await foreign('dave', { may_act: { sub: 'someone-else' } }));
      expectError(notNamed, 400, 'invalid_request', 'may_act');
      expect(notNamed.body.error_description).to.include('may_act');
      const allowed = await tryWith(await foreign('dave', { may_act: { sub: service.client_id, iss: h.t.config.urls.self.issuer } }));
      expect(allowed.status, allowed.text).to.equal(200);
    });
  });
});

describeEachBackend('token exchange client field through dynamic client registration', (backend) => {
  const h = useTessera(backend, { oidc: { dynamic_client_registration: { enabled: true, default_scope: ['read'] } } });

  it('registers allow_token_exchange_impersonation and reads it back', async () => {
    const t: Running = h.t;
    const res = await request<Record<string, unknown>>(t.publicUrl, 'POST', '/oauth2/register', { json: { grant_types: [GRANT], allow_token_exchange_impersonation: true, redirect_uris: [] } });
    expect(res.status, res.text).to.equal(201);
    expect(res.body['allow_token_exchange_impersonation']).to.equal(true);
    expect(res.body['grant_types']).to.deep.equal([GRANT]);
  });
});
