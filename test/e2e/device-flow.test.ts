import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeJwt } from 'jose';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera } from '../helpers/tessera.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { Browser } from '../helpers/browser.js';
import { request } from '../helpers/http.js';
import { acceptUserCode, approve, deviceAuth, deviceChallenge, DEVICE_GRANT, DEVICE_PAGE, DEVICE_SUCCESS, DEVICE_URLS, poll, USER_CODE } from './device-support.js';

/*
 * Issue 13: the device authorization grant (RFC 8628) through HTTP, with the
 * test playing the device, the browser and the login app. Polling interval
 * 1 s here, so the suite can poll on time without waiting 5 s.
 */

describeEachBackend('device authorization grant (RFC 8628)', (backend) => {
  const h = useTessera(backend, { ...DEVICE_URLS, oauth2: { device_authorization: { token_polling_interval: '1s' } } });
  let tv: CreatedClient;
  let cli: CreatedClient;

  before(async () => {
    tv = await createClient(h.t.adminUrl, {
      client_name: 'Living-room TV',
      grant_types: [DEVICE_GRANT, 'refresh_token'],
      token_endpoint_auth_method: 'none',
      scope: 'openid offline_access profile',
      audience: ['https://api.example.com'],
    });
    cli = await createClient(h.t.adminUrl, { client_name: 'CLI', grant_types: [DEVICE_GRANT], scope: 'openid' });
  });

  it('advertises the endpoint and the grant, and lets clients register it', async () => {
    const res = await request<Record<string, unknown>>(h.t.publicUrl, 'GET', '/.well-known/openid-configuration');
    expect(res.body['device_authorization_endpoint']).to.equal(`${h.t.config.urls.self.issuer}/oauth2/device/auth`);
    expect(res.body['grant_types_supported']).to.include(DEVICE_GRANT);
    expect(tv['grant_types']).to.deep.equal([DEVICE_GRANT, 'refresh_token']);
  });

  it('answers the device authorization request as Hydra does', async () => {
    const res = await deviceAuth(h.t, tv, { scope: 'openid' });
    expect(res.status, res.text).to.equal(200);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    expect(Object.keys(res.body).sort()).to.deep.equal(['device_code', 'expires_in', 'interval', 'user_code', 'verification_uri', 'verification_uri_complete']);
    expect(res.body.device_code).to.match(/^ory_dc_[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    expect(res.body.user_code).to.match(USER_CODE);
    expect(res.body.verification_uri).to.equal(DEVICE_PAGE);
    expect(res.body.verification_uri_complete).to.equal(`${DEVICE_PAGE}?user_code=${res.body.user_code}`);
    expect(res.body).to.include({ expires_in: 600, interval: 1 });
  });

  it('polls authorization_pending, then gives access, ID and refresh tokens once, then invalid_grant', async () => {
    const started = await deviceAuth(h.t, tv, { scope: 'openid offline_access profile', audience: 'https://api.example.com' });
    const pending = await poll(h.t, tv, started.body.device_code);
    expect(pending.status, pending.text).to.equal(400);
    expect(pending.body.error).to.equal('authorization_pending');

    const done = await approve(new Browser(), h.t, started.body.user_code, { login: { subject: 'alice', amr: ['pwd'] } });
    expect(done.status, done.body).to.equal(302);
    expect(done.location).to.equal(`${DEVICE_SUCCESS}?client_id=${tv.client_id}`);

    await sleep(1050);
    const tokens = await poll(h.t, tv, started.body.device_code);
    expect(tokens.status, tokens.text).to.equal(200);
    expect(tokens.body.access_token).to.match(/^ory_at_/);
    expect(tokens.body.refresh_token).to.match(/^ory_rt_/);
    expect(tokens.body.scope).to.equal('openid offline_access profile');
    const idToken = decodeJwt(tokens.body.id_token ?? '');
    expect(idToken).to.include({ sub: 'alice', iss: h.t.config.urls.self.issuer });
    expect(idToken['aud']).to.deep.equal([tv.client_id]);

    const introspected = await request<Record<string, unknown>>(h.t.adminUrl, 'POST', '/admin/oauth2/introspect', {
      body: `token=${tokens.body.access_token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(introspected.body).to.include({ active: true, sub: 'alice', client_id: tv.client_id });
    expect(introspected.body['aud']).to.deep.equal(['https://api.example.com']);
    // The device code is a grant, never an active token.
    const code = await request<Record<string, unknown>>(h.t.adminUrl, 'POST', '/admin/oauth2/introspect', {
      body: `token=${started.body.device_code}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(code.body).to.deep.equal({ active: false });

    await sleep(1050);
    const again = await poll(h.t, tv, started.body.device_code);
    expect(again.status, again.text).to.equal(400);
    expect(again.body.error).to.equal('invalid_grant');

    // The refresh token works like any other (a device grant is a grant like the others).
    const refreshed = await request<{ access_token: string }>(h.t.publicUrl, 'POST', '/oauth2/token', {
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token ?? '', client_id: tv.client_id }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(refreshed.status, refreshed.text).to.equal(200);
  });

  it('issues no ID or refresh token when openid and offline_access were not granted', async () => {
    const started = await deviceAuth(h.t, cli, {});
    await approve(new Browser(), h.t, started.body.user_code);
    const tokens = await poll(h.t, cli, started.body.device_code);
    expect(tokens.status, tokens.text).to.equal(200);
    expect(tokens.body).to.not.have.property('id_token');
    expect(tokens.body).to.not.have.property('refresh_token');
  });

  it('matches the user code case-insensitively, with or without the dash, pre-filled from verification_uri_complete', async () => {
    const started = await deviceAuth(h.t, tv, { scope: 'openid' });
    const browser = new Browser();
    const complete = new URL(started.body.verification_uri_complete);
    const { challenge, userCode } = await deviceChallenge(browser, h.t, complete.search);
    expect(userCode).to.equal(started.body.user_code);
    const typed = started.body.user_code.replace('-', '').toLowerCase();
    const accepted = await acceptUserCode(h.t, challenge, typed);
    expect(accepted.status, accepted.text).to.equal(200);
    const redirect = new URL(accepted.body.redirect_to ?? '');
    expect(`${redirect.origin}${redirect.pathname}`).to.equal(`${h.t.config.urls.self.issuer}/oauth2/device/verify`);
    expect(redirect.searchParams.get('client_id')).to.equal(tv.client_id);
    expect(redirect.searchParams.get('device_verifier')).to.be.a('string');
  });

  it('refuses a wrong, a malformed and an already used user code with a clear error', async () => {
    const started = await deviceAuth(h.t, tv, { scope: 'openid' });
    const browser = new Browser();
    const wrong = await acceptUserCode(h.t, (await deviceChallenge(browser, h.t)).challenge, 'BBBB-BBBB');
    expect(wrong.status, wrong.text).to.equal(400);
    expect(wrong.body.error).to.equal('invalid_request');
    expect(wrong.body.error_description).to.contain('user_code is wrong');
    const malformed = await acceptUserCode(h.t, (await deviceChallenge(browser, h.t)).challenge, 'AEIOU-123');
    expect(malformed.status, malformed.text).to.equal(400);

    const first = await acceptUserCode(h.t, (await deviceChallenge(browser, h.t)).challenge, started.body.user_code);
    expect(first.status, first.text).to.equal(200);
    const second = await acceptUserCode(h.t, (await deviceChallenge(new Browser(), h.t)).challenge, started.body.user_code);
    expect(second.status, second.text).to.equal(400);
    // A challenge that was used cannot take another code: 410 with where to restart.
    const unknown = await acceptUserCode(h.t, 'not-a-challenge', started.body.user_code);
    expect(unknown.status, unknown.text).to.equal(404);
  });

  it('answers slow_down to a device polling faster than its interval, and the interval grows by 5 s', async () => {
    const started = await deviceAuth(h.t, tv, { scope: 'openid' });
    expect((await poll(h.t, tv, started.body.device_code)).body.error).to.equal('authorization_pending');
    const fast = await poll(h.t, tv, started.body.device_code);
    expect(fast.status, fast.text).to.equal(400);
    expect(fast.body.error).to.equal('slow_down');
    expect(fast.body.error_description).to.contain('wait 6 seconds');
    await sleep(1050);
    // 1 s is no longer enough: the interval is 6 s now.
    expect((await poll(h.t, tv, started.body.device_code)).body.error).to.equal('slow_down');
  });

  it('answers access_denied after a rejected login, and after a rejected consent', async () => {
    for (const how of [{ rejectLogin: true }, { rejectConsent: true }]) {
      const started = await deviceAuth(h.t, tv, { scope: 'openid' });
      const shown = await approve(new Browser(), h.t, started.body.user_code, how);
      expect(shown.status, JSON.stringify(how)).to.equal(403);
      expect(shown.body).to.contain('access_denied');
      const polled = await poll(h.t, tv, started.body.device_code);
      expect(polled.status, polled.text).to.equal(403);
      expect(polled.body.error).to.equal('access_denied');
      expect(polled.body.error_description).to.contain('The user said no');
    }
  });

  it('answers invalid_grant to an unknown, forged or foreign device code', async () => {
    const started = await deviceAuth(h.t, tv, { scope: 'openid' });
    const forged = `${started.body.device_code.slice(0, -2)}AA`;
    for (const code of [forged, 'ory_dc_nothing', 'x']) {
      const res = await poll(h.t, tv, code);
      expect(res.status, code).to.equal(400);
      expect(res.body.error).to.equal('invalid_grant');
    }
    const foreign = await poll(h.t, cli, started.body.device_code);
    expect(foreign.body.error).to.equal('invalid_grant');
  });

  it('refuses clients without the grant, bad scopes, and wrong credentials', async () => {
    const web = await createClient(h.t.adminUrl, { grant_types: ['client_credentials'], scope: 'openid' });
    const notAllowed = await deviceAuth(h.t, web, {});
    expect(notAllowed.status, notAllowed.text).to.equal(400);
    expect(notAllowed.body.error).to.equal('unauthorized_client');
    const scope = await deviceAuth(h.t, tv, { scope: 'admin' });
    expect(scope.body.error).to.equal('invalid_scope');
    const wrongSecret = await deviceAuth(h.t, { ...cli, client_secret: 'wrong-secret' }, {});
    expect(wrongSecret.status).to.equal(401);
    expect(wrongSecret.body.error).to.equal('invalid_client');
    const poll401 = await poll(h.t, { ...cli, client_secret: 'wrong-secret' }, 'ory_dc_x');
    expect(poll401.status).to.equal(401);
  });

  it('keeps a consent record per device grant: listed, and revoking it revokes the tokens', async () => {
    const started = await deviceAuth(h.t, tv, { scope: 'openid offline_access' });
    await approve(new Browser(), h.t, started.body.user_code, { login: { subject: 'bob' } });
    const tokens = await poll(h.t, tv, started.body.device_code);
    expect(tokens.status, tokens.text).to.equal(200);
    const sessions = await request<Array<{ consent_request: { client: { client_id: string } } }>>(h.t.adminUrl, 'GET', '/admin/oauth2/auth/sessions/consent?subject=bob');
    expect(sessions.body.map((s) => s.consent_request.client.client_id)).to.deep.equal([tv.client_id]);
    const revoked = await request(h.t.adminUrl, 'DELETE', `/admin/oauth2/auth/sessions/consent?subject=bob&client=${tv.client_id}`);
    expect(revoked.status).to.equal(204);
    const introspected = await request<Record<string, unknown>>(h.t.adminUrl, 'POST', '/admin/oauth2/introspect', {
      body: `token=${tokens.body.access_token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(introspected.body).to.deep.equal({ active: false });
  });

  it('uses a remembered login, but always asks for consent again', async () => {
    const browser = new Browser();
    const first = await deviceAuth(h.t, tv, { scope: 'openid' });
    await approve(browser, h.t, first.body.user_code, { login: { subject: 'carol', remember: true }, consent: { remember: true } });
    const second = await deviceAuth(h.t, tv, { scope: 'openid' });
    const { challenge } = await deviceChallenge(browser, h.t);
    const accepted = await acceptUserCode(h.t, challenge, second.body.user_code);
    const toLogin = await browser.get(accepted.body.redirect_to ?? '');
    const loginChallenge = new URL(toLogin.location ?? '').searchParams.get('login_challenge') ?? '';
    const login = await request<{ skip: boolean; subject: string; request_url: string }>(h.t.adminUrl, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${loginChallenge}`);
    expect(login.body).to.include({ skip: true, subject: 'carol' });
    expect(login.body.request_url).to.equal(`${h.t.config.urls.self.issuer}/oauth2/device/verify?client_id=${tv.client_id}`);
    const accepted2 = await request<{ redirect_to: string }>(h.t.adminUrl, 'PUT', `/admin/oauth2/auth/requests/login/accept?login_challenge=${loginChallenge}`, { json: { subject: 'carol' } });
    const toConsent = await browser.get(accepted2.body.redirect_to);
    const consentChallenge = new URL(toConsent.location ?? '').searchParams.get('consent_challenge') ?? '';
    const consent = await request<{ skip: boolean }>(h.t.adminUrl, 'GET', `/admin/oauth2/auth/requests/consent?consent_challenge=${consentChallenge}`);
    expect(consent.body.skip).to.equal(false);
  });

  it('binds each step to the browser that entered the code', async () => {
    const started = await deviceAuth(h.t, tv, { scope: 'openid' });
    const { challenge } = await deviceChallenge(new Browser(), h.t);
    const accepted = await acceptUserCode(h.t, challenge, started.body.user_code);
    const elsewhere = await new Browser().get(accepted.body.redirect_to ?? '');
    expect(elsewhere.status).to.equal(403);
  });
});

describeEachBackend('device authorization grant: expiry and brute force', (backend) => {
  const h = useTessera(backend, {
    ...DEVICE_URLS,
    ttl: { device_user_code: '1s' },
    oauth2: { device_authorization: { token_polling_interval: '0s', user_code_throttle: { per_challenge: 2, per_network: 4 } } },
  });
  let tv: CreatedClient;
  before(async () => {
    tv = await createClient(h.t.adminUrl, { grant_types: [DEVICE_GRANT], token_endpoint_auth_method: 'none', scope: 'openid' });
  });

  it('answers expired_token once the device code has expired, and the user code no longer works', async () => {
    const started = await deviceAuth(h.t, tv, {});
    expect(started.body.expires_in).to.equal(1);
    await sleep(1100);
    const polled = await poll(h.t, tv, started.body.device_code);
    expect(polled.status, polled.text).to.equal(400);
    expect(polled.body.error).to.equal('expired_token');
    const late = await acceptUserCode(h.t, (await deviceChallenge(new Browser(), h.t)).challenge, started.body.user_code);
    expect(late.status).to.equal(400);
  });

  it('spends a challenge after too many wrong codes, then refuses the network', async () => {
    const browser = new Browser();
    const first = (await deviceChallenge(browser, h.t)).challenge;
    expect((await acceptUserCode(h.t, first, 'BBBB-BBBB')).status).to.equal(400);
    expect((await acceptUserCode(h.t, first, 'BBBB-BBBC')).status).to.equal(400);
    const spent = await acceptUserCode(h.t, first, 'BBBB-BBBD');
    expect(spent.status, spent.text).to.equal(410);
    expect(spent.body.redirect_to).to.equal(`${h.t.config.urls.self.issuer}/oauth2/device/verify`);
    const second = (await deviceChallenge(browser, h.t)).challenge;
    expect((await acceptUserCode(h.t, second, 'BBBB-BBBF')).status).to.equal(400);
    // Four wrong codes from this network (the expiry test above entered one): even a right one is refused now.
    const started = await deviceAuth(h.t, tv, {});
    const refused = await acceptUserCode(h.t, second, started.body.user_code);
    expect(refused.status, refused.text).to.equal(429);
    expect(refused.headers.get('retry-after')).to.equal('3600');
  });
});
