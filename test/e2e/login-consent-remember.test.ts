import { expect } from 'chai';
import { describeEachBackend, type Database } from '../helpers/databases.js';
import { startTessera, type Running } from '../helpers/tessera.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { Browser } from '../helpers/browser.js';
import { FLOW_URLS } from '../helpers/flow.js';
import {
  REDIRECT,
  adminApi,
  authorization,
  claims,
  completeFlow,
  exchange,
  redirectTo,
  errorAtClient,
  setCookie,
  sleep,
  toCode,
  toConsent,
  toLogin,
  uid,
  type Completed,
  type ErrorBody,
} from './login-consent-support.js';

/*
 * Remembered logins (the tessera_session cookie, Hydra's authentication
 * session) and remembered consents: `skip: true` in what the app reads, and
 * the ID token's `auth_time` and `sid` telling the truth about the login.
 */

const CLIENT = {
  redirect_uris: [REDIRECT],
  grant_types: ['authorization_code', 'refresh_token'],
  scope: 'openid offline_access profile email',
};

describeEachBackend('login and consent: remembered logins and consents', (backend) => {
  let db: Database;
  let t: Running;
  let client: CreatedClient;
  let api: ReturnType<typeof adminApi>;

  before(async () => {
    db = await backend.create();
    t = await startTessera(db, FLOW_URLS);
    api = adminApi(t);
    client = await createClient(t.adminUrl, { client_name: 'remember', ...CLIENT });
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  /** The ID token of a completed flow. */
  async function idToken(flow: Completed, c: CreatedClient = client): Promise<Record<string, unknown>> {
    const tokens = await exchange(t, c, flow.code, flow.authz.verifier);
    expect(tokens.status, tokens.text).to.equal(200);
    return claims(tokens.body.id_token);
  }

  /** Authorize in `browser` and read the login request. */
  async function loginRequest(browser: Browser, params: Record<string, string> = {}) {
    const authz = authorization(t, client.client_id, params);
    const challenge = await toLogin(browser, authz.url);
    const res = await api.getLogin(challenge);
    expect(res.status, res.text).to.equal(200);
    return { authz, challenge, request: res.body };
  }

  describe('login', () => {
    it('remember:true sets tessera_session: HttpOnly, SameSite=Lax, Max-Age = remember_for', async () => {
      const browser = new Browser();
      const { challenge } = await loginRequest(browser);
      const res = await browser.get(redirectTo(await api.acceptLogin(challenge, { subject: 'alice', remember: true, remember_for: 3600 })));
      expect(res.status, res.body).to.equal(302);
      const cookie = setCookie(res.headers, 'tessera_session');
      expect(cookie, res.headers.getSetCookie().join('\n')).not.to.equal(undefined);
      expect(cookie?.value).to.have.length.greaterThan(20);
      expect(cookie?.attributes.has('httponly')).to.equal(true);
      expect(cookie?.attributes.get('samesite')?.toLowerCase()).to.equal('lax');
      expect(cookie?.attributes.get('max-age')).to.equal('3600');
      expect(cookie?.attributes.get('path')).to.equal('/');
    });

    it('remember:true without remember_for lasts ttl.authentication_session (720h)', async () => {
      const browser = new Browser();
      const { challenge } = await loginRequest(browser);
      const res = await browser.get(redirectTo(await api.acceptLogin(challenge, { subject: 'alice', remember: true })));
      expect(setCookie(res.headers, 'tessera_session')?.attributes.get('max-age')).to.equal(String(720 * 3600));
    });

    it('without remember, no session cookie and no skip next time', async () => {
      const browser = new Browser();
      const { challenge } = await loginRequest(browser);
      const res = await browser.get(redirectTo(await api.acceptLogin(challenge, { subject: 'alice' })));
      expect(res.status, res.body).to.equal(302);
      expect(setCookie(res.headers, 'tessera_session')).to.equal(undefined);
      expect((await loginRequest(browser)).request).to.include({ skip: false, subject: '' });
    });

    it('a remembered login is skipped for its subject only; auth_time and sid stay the first login\'s', async () => {
      const browser = new Browser();
      const first = await completeFlow(t, browser, client.client_id, { login: { subject: 'alice', remember: true, remember_for: 3600 } });
      const firstToken = await idToken(first);
      await sleep(1100); // auth_time has a resolution of one second

      const { authz, challenge, request } = await loginRequest(browser);
      expect(request).to.include({ skip: true, subject: 'alice', session_id: first.login.session_id });
      const other = await api.acceptLogin(challenge, { subject: 'bob' });
      expect(other.status, other.text).to.equal(400);
      expect((other.body as unknown as ErrorBody).error).to.equal('invalid_request');

      const consentChallenge = await toConsent(browser, redirectTo(await api.acceptLogin(challenge, { subject: 'alice' })));
      const consent = await api.getConsent(consentChallenge);
      expect(consent.body).to.include({ subject: 'alice', login_session_id: first.login.session_id });
      const code = await toCode(browser, redirectTo(await api.acceptConsent(consentChallenge, { grant_scope: ['openid'] })));
      const secondToken = await idToken({ ...first, authz, code });
      expect(secondToken['sub']).to.equal('alice');
      expect(secondToken['auth_time'], 'auth_time of the remembered login').to.equal(firstToken['auth_time']);
      expect(secondToken['iat']).to.be.greaterThan(Number(firstToken['auth_time']));
      expect(secondToken['sid']).to.equal(firstToken['sid']);
    });

    it('a skipped login\'s verifier is single-use too', async () => {
      const browser = new Browser();
      await completeFlow(t, browser, client.client_id, { login: { subject: 'alice', remember: true } });
      const { authz, challenge, request } = await loginRequest(browser);
      expect(request.skip).to.equal(true);
      const verifierUrl = redirectTo(await api.acceptLogin(challenge, { subject: 'alice' }));
      await toConsent(browser, verifierUrl);
      errorAtClient(await browser.get(verifierUrl), t, authz.state);
    });

    it('prompt=login and an exceeded max_age do not skip a remembered login', async () => {
      const browser = new Browser();
      await completeFlow(t, browser, client.client_id, { login: { subject: 'alice', remember: true } });
      expect((await loginRequest(browser)).request.skip).to.equal(true);
      expect((await loginRequest(browser, { prompt: 'login' })).request).to.include({ skip: false, subject: '' });
      await sleep(1100);
      expect((await loginRequest(browser, { max_age: '1' })).request).to.include({ skip: false, subject: '' });
      expect((await loginRequest(browser, { max_age: '3600' })).request.skip).to.equal(true);
    });

    it('a remembered login stays in its browser', async () => {
      await completeFlow(t, new Browser(), client.client_id, { login: { subject: 'alice', remember: true } });
      expect((await loginRequest(new Browser())).request.skip).to.equal(false);
    });

    it('remember:false after a remembered session clears the cookie (Max-Age=0)', async () => {
      const browser = new Browser();
      await completeFlow(t, browser, client.client_id, { login: { subject: 'alice', remember: true } });
      expect(browser.cookies.has('tessera_session')).to.equal(true);
      const { challenge, request } = await loginRequest(browser, { prompt: 'login' });
      expect(request.skip).to.equal(false);
      const res = await browser.get(redirectTo(await api.acceptLogin(challenge, { subject: 'alice', remember: false })));
      expect(res.status, res.body).to.equal(302);
      const cleared = setCookie(res.headers, 'tessera_session');
      expect(cleared, res.headers.getSetCookie().join('\n')).not.to.equal(undefined);
      expect(cleared?.attributes.get('max-age')).to.equal('0');
      expect(browser.cookies.has('tessera_session')).to.equal(false);
      expect((await loginRequest(browser)).request.skip).to.equal(false);
    });
  });

  describe('consent', () => {
    /** A flow for `subject` in a fresh browser (so the login is never skipped). */
    const flowFor = (subject: string, options: { params?: Record<string, string>; consent?: Record<string, unknown> } = {}, c: CreatedClient = client) =>
      completeFlow(t, new Browser(), c.client_id, { params: options.params ?? {}, login: { subject }, ...(options.consent ? { consent: options.consent } : {}) });

    /** The consent request the next flow for `subject` shows the consent app. */
    async function nextConsent(subject: string, params: Record<string, string> = {}, c: CreatedClient = client) {
      const browser = new Browser();
      const authz = authorization(t, c.client_id, params);
      const loginChallenge = await toLogin(browser, authz.url);
      const challenge = await toConsent(browser, redirectTo(await api.acceptLogin(loginChallenge, { subject })));
      const res = await api.getConsent(challenge);
      expect(res.status, res.text).to.equal(200);
      return { browser, authz, challenge, request: res.body };
    }

    it('remember:true skips the next consent for what was granted; the skipped one still yields tokens', async () => {
      const subject = `carol-${uid()}`;
      await flowFor(subject, { consent: { remember: true } });
      const next = await nextConsent(subject);
      expect(next.request).to.include({ skip: true, subject });
      const code = await toCode(next.browser, redirectTo(await api.acceptConsent(next.challenge, { grant_scope: next.request.requested_scope })));
      const tokens = await exchange(t, client, code, next.authz.verifier);
      expect(tokens.status, tokens.text).to.equal(200);
      expect(tokens.body.scope).to.equal('openid offline_access');
      expect((await nextConsent(subject, { scope: 'openid' })).request.skip, 'a subset of the grant').to.equal(true);
    });

    it('without remember, the next consent is not skipped', async () => {
      const subject = `dave-${uid()}`;
      await flowFor(subject, { consent: { remember: false } });
      expect((await nextConsent(subject)).request.skip).to.equal(false);
    });

    it('a scope beyond the remembered grant, or prompt=consent, is not skipped', async () => {
      const subject = `erin-${uid()}`;
      await flowFor(subject, { consent: { remember: true } });
      expect((await nextConsent(subject, { scope: 'openid offline_access email' })).request.skip).to.equal(false);
      expect((await nextConsent(subject, { prompt: 'consent' })).request.skip).to.equal(false);
      expect((await nextConsent(subject)).request.skip).to.equal(true);
    });

    it('a remembered consent covers only what was granted, not what was asked', async () => {
      const subject = `faye-${uid()}`;
      await flowFor(subject, { params: { scope: 'openid email' }, consent: { remember: true, grant_scope: ['openid'] } });
      expect((await nextConsent(subject, { scope: 'openid email' })).request.skip).to.equal(false);
      expect((await nextConsent(subject, { scope: 'openid' })).request.skip).to.equal(true);
    });

    it('a remembered consent belongs to its client and subject', async () => {
      const subject = `gwen-${uid()}`;
      await flowFor(subject, { consent: { remember: true } });
      const other = await createClient(t.adminUrl, { client_name: 'other', ...CLIENT });
      expect((await nextConsent(subject, {}, other)).request.skip).to.equal(false);
      expect((await nextConsent(`${subject}-2`)).request.skip).to.equal(false);
    });

    it('remember_for expires the remembered consent', async () => {
      const subject = `hank-${uid()}`;
      await flowFor(subject, { consent: { remember: true, remember_for: 1 } });
      await sleep(1100);
      expect((await nextConsent(subject)).request.skip).to.equal(false);
    });

    it('a client with skip_consent:true is skipped on first use', async () => {
      const trusted = await createClient(t.adminUrl, { client_name: 'first party', skip_consent: true, ...CLIENT });
      expect((await nextConsent(`ivan-${uid()}`, {}, trusted)).request.skip).to.equal(true);
    });
  });

  it('the ID token\'s sid is the login request\'s session_id and the consent request\'s login_session_id', async () => {
    const flow = await completeFlow(t, new Browser(), client.client_id, { params: { nonce: `nonce-${uid()}` } });
    const token = await idToken(flow);
    expect(flow.login.session_id).to.be.a('string').and.not.equal('');
    expect(token['sid']).to.equal(flow.login.session_id);
    expect(token['sid']).to.equal(flow.consent.login_session_id);
  });
});
