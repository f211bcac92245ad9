import { expect } from 'chai';
import { createLocalJWKSet, jwtVerify, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import * as oidc from 'openid-client';
import { describeEachBackend, type Database } from '../helpers/databases.js';
import { startTessera, type Running } from '../helpers/tessera.js';
import { request } from '../helpers/http.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { Browser } from '../helpers/browser.js';
import { CONSENT_URL, LOGIN_URL, challengeOf, runFlow } from '../helpers/flow.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';

const REDIRECT = 'http://127.0.0.1:9999/cb';
const AFTER_LOGOUT = 'https://rp.example.com/bye';
const LOGOUT_URL = 'http://login.test/logout';
const DEFAULT_AFTER = 'https://tessera.example.com/signed-out';

describeEachBackend('RP-initiated, front- and back-channel logout', (backend) => {
  let db: Database;
  let t: Running;
  let rp: CreatedClient;
  let receiver: Receiver;
  let config: oidc.Configuration;

  /** Logs `subject` in with a remembered session; returns the ID token. */
  async function signIn(browser: Browser, subject: string): Promise<string> {
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: oidc.randomState(),
    });
    const callback = await runFlow(browser, t.adminUrl, url.href, { login: { subject, remember: true } });
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: url.searchParams.get('state') ?? '' });
    return tokens.id_token ?? '';
  }

  const loginSkipped = async (browser: Browser) => {
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', state: oidc.randomState() });
    const start = await browser.get(url.href);
    const res = await request<{ skip: boolean }>(t.adminUrl, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${challengeOf(start.location, 'login_challenge')}`);
    return res.body.skip;
  };

  before(async () => {
    db = await backend.create();
    receiver = await startReceiver();
    t = await startTessera(db, {
      urls: { login: LOGIN_URL, consent: CONSENT_URL, logout: LOGOUT_URL, post_logout_redirect: DEFAULT_AFTER },
      // The receiver listens on 127.0.0.1, over http: allowed only with this (or --dev).
      oauth2: { backchannel_logout: { allow_private_networks: true } },
    });
    rp = await createClient(t.adminUrl, {
      redirect_uris: [REDIRECT],
      scope: 'openid',
      post_logout_redirect_uris: [AFTER_LOGOUT],
      frontchannel_logout_uri: 'https://rp.example.com/frontchannel',
      frontchannel_logout_session_required: true,
      backchannel_logout_uri: receiver.url,
      backchannel_logout_session_required: true,
    });
    config = await oidc.discovery(new URL(t.config.urls.self.issuer), rp.client_id, undefined, oidc.ClientSecretBasic(rp.client_secret), {
      execute: [oidc.allowInsecureRequests],
    });
  });
  after(async () => {
    await t?.stop();
    await receiver?.close();
    await db?.drop();
  });

  it('discovery advertises the end-session endpoint and both logout channels', () => {
    const meta = config.serverMetadata();
    expect(meta.end_session_endpoint).to.equal(`${t.config.urls.self.issuer}/oauth2/sessions/logout`);
    expect(meta).to.include({ frontchannel_logout_supported: true, backchannel_logout_supported: true, backchannel_logout_session_supported: true });
  });

  it('logs out through the logout app, renders front-channel iframes, posts a verifiable logout token, and returns with state', async () => {
    const browser = new Browser();
    const idToken = await signIn(browser, 'leaving-user');
    const sid = (JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString()) as { sid: string }).sid;
    const before = receiver.bodies.length;

    const endSession = oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: AFTER_LOGOUT, state: 'bye-state-123' });
    const start = await browser.get(endSession.href);
    expect(start.status).to.equal(302);
    expect(start.location?.startsWith(`${LOGOUT_URL}?logout_challenge=`)).to.equal(true);
    const challenge = new URL(start.location ?? '').searchParams.get('logout_challenge') ?? '';

    const got = await request<Record<string, unknown>>(t.adminUrl, 'GET', `/admin/oauth2/auth/requests/logout?logout_challenge=${challenge}`);
    expect(got.status).to.equal(200);
    expect(got.body).to.include({ subject: 'leaving-user', sid, rp_initiated: true });
    expect(got.body).to.have.nested.property('client.client_id', rp.client_id);
    const accepted = await request<{ redirect_to: string }>(t.adminUrl, 'PUT', `/admin/oauth2/auth/requests/logout/accept?logout_challenge=${challenge}`);
    expect(accepted.status).to.equal(200);

    const done = await browser.get(accepted.body.redirect_to);
    expect(done.status).to.equal(200);
    expect(done.headers.get('content-security-policy')).to.include("frame-ancestors 'none'");
    const iframe = /<iframe src="([^"]+)"/.exec(done.body)?.[1]?.replace(/&#38;/g, '&') ?? '';
    const frontchannel = new URL(iframe);
    expect(frontchannel.origin + frontchannel.pathname).to.equal('https://rp.example.com/frontchannel');
    expect(frontchannel.searchParams.get('iss')).to.equal(t.config.urls.self.issuer);
    expect(frontchannel.searchParams.get('sid')).to.equal(sid);
    expect(done.body).to.include(`url=${AFTER_LOGOUT}?state=bye-state-123`);
    expect(browser.cookies.has('tessera_session')).to.equal(false);

    await receiver.waitFor(before + 1);
    const logoutToken = new URLSearchParams(receiver.bodies[before]).get('logout_token') ?? '';
    const jwks = (await request<JSONWebKeySet>(t.publicUrl, 'GET', '/.well-known/jwks.json')).body;
    const { payload } = await jwtVerify(logoutToken, createLocalJWKSet(jwks), { issuer: t.config.urls.self.issuer, audience: rp.client_id });
    expect(decodeProtectedHeader(logoutToken).typ).to.equal('logout+jwt');
    expect(payload).to.include({ sub: 'leaving-user', sid });
    expect(payload.events).to.deep.equal({ 'http://schemas.openid.net/event/backchannel-logout': {} });
    expect(payload.jti).to.be.a('string');
    expect(payload).not.to.have.property('nonce');

    expect(await loginSkipped(browser)).to.equal(false);
    // The verifier is single-use.
    expect((await browser.get(accepted.body.redirect_to)).status).to.equal(400);

    // Found in review: the logout token, signed by the same keys, passed as an id_token_hint.
    const asHint = await browser.get(oidc.buildEndSessionUrl(config, { id_token_hint: logoutToken }).href);
    expect(asHint.status, asHint.body).to.equal(400);
    expect(asHint.body).to.include('not an ID token');
  });

  it('refuses an unregistered or altered post_logout_redirect_uri without redirecting', async () => {
    const browser = new Browser();
    const idToken = await signIn(browser, 'careful-user');
    for (const uri of ['https://evil.example.com/bye', `${AFTER_LOGOUT}?x=1`, `${AFTER_LOGOUT}/`]) {
      const res = await browser.get(oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: uri }).href);
      expect(res.status, uri).to.equal(400);
      expect(res.location).to.equal(undefined);
    }
    // Without id_token_hint or client_id nobody vouches for the URI.
    const bare = await browser.get(`${t.publicUrl}/oauth2/sessions/logout?post_logout_redirect_uri=${encodeURIComponent(AFTER_LOGOUT)}`);
    expect(bare.status).to.equal(400);
    const garbage = await browser.get(`${t.publicUrl}/oauth2/sessions/logout?id_token_hint=not.a.jwt`);
    expect(garbage.status).to.equal(400);
    expect(await loginSkipped(browser)).to.equal(true);
  });

  it('works without id_token_hint for the browser session, ending at urls.post_logout_redirect', async () => {
    const browser = new Browser();
    await signIn(browser, 'hintless');
    const start = await browser.get(`${t.publicUrl}/oauth2/sessions/logout`);
    const challenge = new URL(start.location ?? '').searchParams.get('logout_challenge') ?? '';
    const got = await request<{ rp_initiated: boolean; subject: string }>(t.adminUrl, 'GET', `/admin/oauth2/auth/requests/logout?challenge=${challenge}`);
    expect(got.body).to.include({ rp_initiated: false, subject: 'hintless' });
    const accepted = await request<{ redirect_to: string }>(t.adminUrl, 'PUT', `/admin/oauth2/auth/requests/logout/accept?logout_challenge=${challenge}`);
    const done = await browser.get(accepted.body.redirect_to);
    expect(done.body).to.include(`url=${DEFAULT_AFTER}`);
    expect(await loginSkipped(browser)).to.equal(false);
  });

  it('client_id alone can vouch for the post_logout_redirect_uri (unlike Hydra)', async () => {
    const browser = new Browser();
    await signIn(browser, 'client-id-user');
    const start = await browser.get(
      `${t.publicUrl}/oauth2/sessions/logout?${new URLSearchParams({ client_id: rp.client_id, post_logout_redirect_uri: AFTER_LOGOUT, state: 'st-12345678' })}`,
    );
    expect(start.status).to.equal(302);
    expect(start.location?.startsWith(LOGOUT_URL)).to.equal(true);
  });

  it('a rejected logout keeps the session; a verifier from another browser is refused', async () => {
    const browser = new Browser();
    await signIn(browser, 'stayer');
    const first = await browser.get(`${t.publicUrl}/oauth2/sessions/logout`);
    const rejected = await request(t.adminUrl, 'PUT', `/admin/oauth2/auth/requests/logout/reject?logout_challenge=${new URL(first.location ?? '').searchParams.get('logout_challenge')}`);
    expect(rejected.status).to.equal(204);
    expect(await loginSkipped(browser)).to.equal(true);

    const second = await browser.get(`${t.publicUrl}/oauth2/sessions/logout`);
    const challenge = new URL(second.location ?? '').searchParams.get('logout_challenge') ?? '';
    const accepted = await request<{ redirect_to: string }>(t.adminUrl, 'PUT', `/admin/oauth2/auth/requests/logout/accept?logout_challenge=${challenge}`);
    expect((await new Browser().get(accepted.body.redirect_to)).status).to.equal(400);
    expect(await loginSkipped(browser)).to.equal(true);
    expect((await request(t.adminUrl, 'GET', `/admin/oauth2/auth/requests/logout?logout_challenge=${challenge}`)).status).to.equal(200);
    expect((await browser.get(accepted.body.redirect_to)).status).to.equal(200);
    expect((await request(t.adminUrl, 'GET', `/admin/oauth2/auth/requests/logout?logout_challenge=${challenge}`)).status).to.equal(410);
  });

  it('a client registered with skip_logout_consent signs out without the logout app', async () => {
    const quiet = await createClient(t.adminUrl, { redirect_uris: [REDIRECT], scope: 'openid', post_logout_redirect_uris: [AFTER_LOGOUT], skip_logout_consent: true });
    const quietConfig = await oidc.discovery(new URL(t.config.urls.self.issuer), quiet.client_id, undefined, oidc.ClientSecretBasic(quiet.client_secret), {
      execute: [oidc.allowInsecureRequests],
    });
    const browser = new Browser();
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(quietConfig, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: oidc.randomState(),
    });
    const callback = await runFlow(browser, t.adminUrl, url.href, { login: { subject: 'quiet-user', remember: true } });
    const tokens = await oidc.authorizationCodeGrant(quietConfig, callback, { pkceCodeVerifier: verifier, expectedState: url.searchParams.get('state') ?? '' });
    const res = await browser.get(oidc.buildEndSessionUrl(quietConfig, { id_token_hint: tokens.id_token ?? '', post_logout_redirect_uri: AFTER_LOGOUT, state: 'quiet-state-1' }).href);
    expect(res.status).to.equal(302);
    expect(res.location).to.equal(`${AFTER_LOGOUT}?state=quiet-state-1`);
    expect(browser.cookies.has('tessera_session')).to.equal(false);
  });

  it('skip_logout_consent needs proof: a cross-site client_id, or an ID token of an earlier session, still asks the user', async () => {
    const quiet = await createClient(t.adminUrl, { redirect_uris: [REDIRECT], scope: 'openid', post_logout_redirect_uris: [AFTER_LOGOUT], skip_logout_consent: true });
    const quietConfig = await oidc.discovery(new URL(t.config.urls.self.issuer), quiet.client_id, undefined, oidc.ClientSecretBasic(quiet.client_secret), {
      execute: [oidc.allowInsecureRequests],
    });
    const signInQuietly = async (browser: Browser) => {
      const url = oidc.buildAuthorizationUrl(quietConfig, { redirect_uri: REDIRECT, scope: 'openid', state: oidc.randomState() });
      const callback = await runFlow(browser, t.adminUrl, url.href, { login: { subject: 'proof-user', remember: true } });
      return (await oidc.authorizationCodeGrant(quietConfig, callback, { expectedState: url.searchParams.get('state') ?? '' })).id_token ?? '';
    };
    const asksUser = (res: { status: number; location: string | undefined }) => {
      expect(res.status).to.equal(302);
      expect(res.location?.startsWith(`${LOGOUT_URL}?logout_challenge=`), res.location).to.equal(true);
    };
    const browser = new Browser();
    const earlier = await signInQuietly(browser);

    // What a page on any site can make the browser send: no proof at all.
    const params = new URLSearchParams({ client_id: quiet.client_id, post_logout_redirect_uri: AFTER_LOGOUT, state: 'csrf-state-1' });
    asksUser(await browser.get(`${t.publicUrl}/oauth2/sessions/logout?${params}`));
    const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const posted = await fetch(`${t.publicUrl}/oauth2/sessions/logout`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: params.toString(),
      redirect: 'manual',
    });
    asksUser({ status: posted.status, location: posted.headers.get('location') ?? undefined });
    expect(await loginSkipped(browser)).to.equal(true);

    // An ID token of an ended session does not vouch for the current one.
    const sid = (JSON.parse(Buffer.from(earlier.split('.')[1] ?? '', 'base64url').toString()) as { sid: string }).sid;
    expect((await request(t.adminUrl, 'DELETE', `/admin/oauth2/auth/sessions/login?sid=${sid}`)).status).to.equal(204);
    const current = await signInQuietly(browser);
    asksUser(await browser.get(oidc.buildEndSessionUrl(quietConfig, { id_token_hint: earlier, post_logout_redirect_uri: AFTER_LOGOUT }).href));
    expect(await loginSkipped(browser)).to.equal(true);

    // The current session's ID token is the proof: signed out at once.
    const res = await browser.get(oidc.buildEndSessionUrl(quietConfig, { id_token_hint: current, post_logout_redirect_uri: AFTER_LOGOUT }).href);
    expect(res.location).to.equal(AFTER_LOGOUT);
    expect(await loginSkipped(browser)).to.equal(false);
  });

  it('with no session there is nothing to end: straight to the destination', async () => {
    const res = await new Browser().get(`${t.publicUrl}/oauth2/sessions/logout`);
    expect(res.status).to.equal(302);
    expect(res.location).to.equal(DEFAULT_AFTER);
  });

  it('ending a login session through the admin API sends back-channel logout, retried a bounded number of times', async () => {
    const browser = new Browser();
    const idToken = await signIn(browser, 'admin-ended');
    const sid = (JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString()) as { sid: string }).sid;
    const before = receiver.bodies.length;
    // Back-channel deliveries by outcome (issue 19), from the metrics scrape.
    const failed = async () => {
      const scrape = await request(t.adminUrl, 'GET', '/admin/metrics/prometheus');
      return Number(/^tessera_backchannel_logout_deliveries_total\{outcome="failed"\} (\d+)$/m.exec(scrape.text)?.[1] ?? 0);
    };
    const failedBefore = await failed();
    receiver.status = 500;
    try {
      const res = await request(t.adminUrl, 'DELETE', `/admin/oauth2/auth/sessions/login?sid=${sid}`);
      expect(res.status).to.equal(204);
      await receiver.waitFor(before + 3, 8000);
      await t.tessera.notifier.drain();
      expect(receiver.bodies.length).to.equal(before + 3);
      // Three attempts, one delivery that failed.
      expect(await failed()).to.equal(failedBefore + 1);
    } finally {
      receiver.status = 200;
    }
  });

  it('refuses malformed logout admin requests', async () => {
    expect((await request(t.adminUrl, 'GET', '/admin/oauth2/auth/requests/logout')).status).to.equal(400);
    expect((await request(t.adminUrl, 'GET', '/admin/oauth2/auth/requests/logout?logout_challenge=nope')).status).to.equal(404);
    expect((await request(t.adminUrl, 'PUT', '/admin/oauth2/auth/requests/logout/accept?logout_challenge=nope')).status).to.equal(404);
  });
});
