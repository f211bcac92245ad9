import { expect } from 'chai';
import { handleConsent, handleLogin, handleLogout, TesseraAdmin, type OAuth2Client, type OAuth2ConsentSession, type RevokeConsentSessionsTarget } from '@tessera/sdk';
import { describeEachBackend, type Database } from '../helpers/databases.js';
import { startTessera, type Running } from '../helpers/tessera.js';
import { Browser } from '../helpers/browser.js';
import { challengeOf, FLOW_URLS } from '../helpers/flow.js';
import { authorizeUrl, exchangeCode, jwtClaims, recordingFetch, REDIRECT, rejection, uid } from './support.js';

const LOGOUT_URL = 'http://login.test/logout';
const AFTER_LOGOUT = 'https://rp.example/bye';

describeEachBackend('sdk: logout requests, consent and login sessions', (backend) => {
  let db: Database;
  let t: Running;
  let admin: TesseraAdmin;
  let rp: OAuth2Client;
  let other: OAuth2Client;
  let third: OAuth2Client;

  const hop = async (browser: Browser, url: string | undefined) => {
    expect(url, 'a redirect').to.be.a('string');
    const res = await browser.get(url ?? '');
    expect(res.status, res.body).to.equal(302);
    return res.location ?? '';
  };

  /** A remembered login and consent for `subject` at `client`, through the helpers; the tokens, sid included. */
  async function signIn(browser: Browser, client: OAuth2Client, subject: string) {
    const login = await handleLogin(admin, challengeOf(await hop(browser, authorizeUrl(t, client, 'openid')), 'login_challenge'), () => ({ subject, remember: true }));
    const challenge = challengeOf(await hop(browser, login.redirectTo), 'consent_challenge');
    const consent = await handleConsent(admin, challenge, (request) => ({ grant_scope: request.requested_scope, remember: true }));
    const tokens = await exchangeCode(t, client, new URL(await hop(browser, consent.redirectTo)));
    return { ...tokens, sid: String(jwtClaims(tokens.id_token)['sid']) };
  }

  /** Whether this browser's next authorization request skips the login page. */
  const loginSkipped = async (browser: Browser, client: OAuth2Client = rp) =>
    (await admin.getLoginRequest(challengeOf(await hop(browser, authorizeUrl(t, client, 'openid')), 'login_challenge'))).skip;

  const logoutChallenge = async (browser: Browser, query = '') => {
    const location = await hop(browser, `${t.publicUrl}/oauth2/sessions/logout${query}`);
    expect(location.startsWith(`${LOGOUT_URL}?`), location).to.equal(true);
    return new URL(location).searchParams.get('logout_challenge') ?? '';
  };

  before(async () => {
    db = await backend.create();
    t = await startTessera(db, { urls: { ...FLOW_URLS.urls, logout: LOGOUT_URL } });
    admin = new TesseraAdmin({ baseUrl: t.adminUrl });
    rp = await admin.createClient({ client_name: 'Logout RP', redirect_uris: [REDIRECT], scope: 'openid', post_logout_redirect_uris: [AFTER_LOGOUT] });
    other = await admin.createClient({ client_name: 'Other RP', redirect_uris: [REDIRECT], scope: 'openid' });
    third = await admin.createClient({ client_name: 'Third RP', redirect_uris: [REDIRECT], scope: 'openid' });
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  describe('logout', () => {
    it('getLogoutRequest shows an RP-initiated request with its client; handleLogout shows the page, then accepts', async () => {
      const browser = new Browser();
      const { id_token: idToken, sid } = await signIn(browser, rp, 'leaver');
      const query = `?${new URLSearchParams({ id_token_hint: idToken ?? '', post_logout_redirect_uri: AFTER_LOGOUT, state: 'bye-12345' })}`;
      const challenge = await logoutChallenge(browser, query);

      const request = await admin.getLogoutRequest(challenge);
      expect(request).to.include({ challenge, subject: 'leaver', sid, rp_initiated: true });
      expect(request.client?.client_id).to.equal(rp.client_id);
      expect(Date.parse(request.expires_at)).to.be.above(Date.parse(request.requested_at));

      const page = await handleLogout(admin, challenge, () => ({ render: 'Sign out?' }));
      expect(page).to.deep.include({ render: 'Sign out?' });
      expect(page.show?.client?.client_name).to.equal('Logout RP');
      expect(await handleLogout(admin, challenge, () => undefined)).to.have.property('show');

      const accepted = await handleLogout(admin, challenge, (r) => (r.subject === 'leaver' ? 'accept' : undefined));
      expect(accepted.redirectTo).to.contain('logout_verifier=');
      const done = await browser.get(accepted.redirectTo ?? '');
      expect(done.status).to.equal(302);
      expect(done.location).to.equal(`${AFTER_LOGOUT}?state=bye-12345`);
      expect(await loginSkipped(browser)).to.equal(false);

      // Used: 410 with the end-session request to start again at.
      const gone = await rejection(admin.getLogoutRequest(challenge));
      expect(gone).to.include({ status: 410, error: 'gone' });
      expect(gone.redirectTo).to.contain('/oauth2/sessions/logout?');
    });

    it('a logout without a client is not RP-initiated; rejecting keeps the session', async () => {
      const browser = new Browser();
      await signIn(browser, rp, 'stayer');
      const challenge = await logoutChallenge(browser);
      const request = await admin.getLogoutRequest(challenge);
      expect(request).to.include({ subject: 'stayer', rp_initiated: false });
      expect(request).not.to.have.property('client');
      expect(await handleLogout(admin, challenge, () => 'reject')).to.deep.equal({ rejected: true });
      expect(await loginSkipped(browser)).to.equal(true);
      // A rejected request is gone altogether.
      expect(await rejection(admin.acceptLogoutRequest(challenge))).to.include({ status: 404, error: 'not_found' });
    });

    it('acceptLogoutRequest and rejectLogoutRequest directly; errors for unknown and missing challenges', async () => {
      const browser = new Browser();
      await signIn(browser, rp, 'direct');
      const first = await logoutChallenge(browser);
      expect(await admin.rejectLogoutRequest(first)).to.equal(undefined);
      const second = await logoutChallenge(browser);
      const { redirect_to: redirectTo } = await admin.acceptLogoutRequest(second);
      expect((await browser.get(redirectTo)).status).to.equal(200); // no destination configured: the signed-out page
      expect(await loginSkipped(browser)).to.equal(false);

      expect(await rejection(admin.getLogoutRequest(`nope-${uid()}`))).to.include({ status: 404, error: 'not_found' });
      expect(await rejection(admin.rejectLogoutRequest(`nope-${uid()}`))).to.include({ status: 404 });
      const missing = await rejection(admin.getLogoutRequest(''));
      expect(missing).to.include({ status: 400, error: 'invalid_request' });
      expect(missing.error_description).to.contain('logout_challenge');
    });
  });

  describe('consent sessions', () => {
    const subject = `granter-${uid()}`;
    let rpSession: { access_token: string; sid: string };
    let otherSession: { access_token: string; sid: string };

    before(async () => {
      const browser = new Browser();
      rpSession = await signIn(browser, rp, subject);
      otherSession = await signIn(browser, other, subject);
      await signIn(new Browser(), third, subject); // another login session
    });

    it('listConsentSessions pages with the next token and the total; iterateConsentSessions walks all pages', async () => {
      const first = await admin.listConsentSessions({ subject, page_size: 2 });
      expect(first.total).to.equal(3);
      expect(first.sessions).to.have.length(2);
      expect(first.nextPageToken).to.be.a('string');
      const second = await admin.listConsentSessions({ subject, page_size: 2, page_token: first.nextPageToken });
      expect(second).to.include({ total: 3, nextPageToken: undefined });
      expect(second.sessions).to.have.length(1);

      const recorder = recordingFetch();
      const seen: OAuth2ConsentSession[] = [];
      for await (const s of new TesseraAdmin({ baseUrl: t.adminUrl, fetch: recorder.fetch }).iterateConsentSessions({ subject, page_size: 2 })) seen.push(s);
      expect(recorder.urls).to.have.length(2);
      expect(new Set(seen.map((s) => s.consent_request_id)).size).to.equal(3);
      expect(seen.map((s) => s.consent_request.client.client_id)).to.have.members([rp.client_id, other.client_id, third.client_id]);
      expect(seen[0]).to.deep.include({ grant_scope: ['openid'], remember: true });
      expect(seen[0]?.consent_request).to.include({ subject });
    });

    it('filters by login_session_id, also across pages', async () => {
      const one = await admin.listConsentSessions({ subject, login_session_id: rpSession.sid });
      expect(one.total).to.equal(2);
      expect(one.sessions.map((s) => s.consent_request.login_session_id)).to.deep.equal([rpSession.sid, rpSession.sid]);
      const seen: OAuth2ConsentSession[] = [];
      for await (const s of admin.iterateConsentSessions({ subject, login_session_id: rpSession.sid, page_size: 1 })) seen.push(s);
      expect(seen.map((s) => s.consent_request.login_session_id)).to.deep.equal([rpSession.sid, rpSession.sid]);
      expect((await admin.listConsentSessions({ subject: `nobody-${uid()}` })).sessions).to.deep.equal([]);
    });

    it('revokeConsentSessions by consent id, by client, then all; tokens go with them', async () => {
      const all = (await admin.listConsentSessions({ subject })).sessions;
      const otherConsent = all.find((s) => s.consent_request.client.client_id === other.client_id);
      await admin.revokeConsentSessions({ consent_request_id: otherConsent?.consent_request_id ?? '' });
      expect((await admin.introspectToken(otherSession.access_token)).active).to.equal(false);
      expect((await admin.listConsentSessions({ subject })).total).to.equal(2);

      await admin.revokeConsentSessions({ subject, client: rp.client_id });
      expect((await admin.introspectToken(rpSession.access_token)).active).to.equal(false);
      const left = await admin.listConsentSessions({ subject });
      expect(left.sessions.map((s) => s.consent_request.client.client_id)).to.deep.equal([third.client_id]);

      const again = new Browser();
      await signIn(again, other, subject);
      expect((await admin.listConsentSessions({ subject })).total).to.equal(2);
      await admin.revokeConsentSessions({ subject, all: true });
      expect((await admin.listConsentSessions({ subject })).total).to.equal(0);
    });

    it('400s: no subject to list, nothing named to revoke', async () => {
      const noSubject = await rejection(admin.listConsentSessions({ subject: '' }));
      expect(noSubject).to.include({ status: 400, error: 'invalid_request' });
      expect(noSubject.error_description).to.contain('subject');
      const nothing = await rejection(admin.revokeConsentSessions({ subject } as unknown as RevokeConsentSessionsTarget));
      expect(nothing).to.include({ status: 400, error: 'invalid_request' });
    });
  });

  describe('login sessions', () => {
    it('revokeLoginSessions ends one session by sid, or all of a subject', async () => {
      const subject = `session-${uid()}`;
      const [a, b, c] = [new Browser(), new Browser(), new Browser()];
      const { sid } = await signIn(a, rp, subject);
      await signIn(b, rp, subject);
      await signIn(c, rp, subject);
      await admin.revokeLoginSessions({ sid });
      expect(await loginSkipped(a)).to.equal(false);
      expect(await loginSkipped(b)).to.equal(true);
      await admin.revokeLoginSessions({ subject });
      expect(await loginSkipped(b)).to.equal(false);
      expect(await loginSkipped(c)).to.equal(false);
      const nothing = await rejection(admin.revokeLoginSessions({} as unknown as { sid: string }));
      expect(nothing).to.include({ status: 400, error: 'invalid_request' });
    });
  });
});
