import { expect } from 'chai';
import { handleConsent, handleLogin, TesseraAdmin, type OAuth2Client, type OAuth2ConsentRequest, type OAuth2LoginRequest } from '@tessera/sdk';
import { describeEachBackend, type Database } from '../helpers/databases.js';
import { startTessera, type Running } from '../helpers/tessera.js';
import { Browser } from '../helpers/browser.js';
import { challengeOf, FLOW_URLS } from '../helpers/flow.js';
import { authorizeUrl, exchangeCode, jwtClaims, REDIRECT, rejection } from './support.js';

const never = (what: string) => () => {
  throw new Error(`${what} must not be called`);
};

const claimsFor = (request: OAuth2ConsentRequest) => ({
  id_token: request.requested_scope.includes('email') ? { email: `${request.subject}@example.com` } : {},
  access_token: { tier: 'gold' },
});

describeEachBackend('sdk: handleLogin and handleConsent in an authorization code flow', (backend) => {
  let db: Database;
  let t: Running;
  let admin: TesseraAdmin;
  let client: OAuth2Client;

  /** The browser's trip to the login app: authorize, and return the login challenge. */
  const startAt = async (browser: Browser, url: string) => {
    const res = await browser.get(url);
    expect(res.status, res.body).to.equal(302);
    return challengeOf(res.location, 'login_challenge');
  };
  const follow = async (browser: Browser, redirectTo: string | undefined) => {
    expect(redirectTo, 'a redirect').to.be.a('string');
    const res = await browser.get(redirectTo ?? '');
    expect(res.status, res.body).to.equal(302);
    return res.location ?? '';
  };

  before(async () => {
    db = await backend.create();
    t = await startTessera(db, FLOW_URLS);
    admin = new TesseraAdmin({ baseUrl: t.adminUrl });
    client = await admin.createClient({
      client_name: 'Helpers RP',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid offline_access email profile',
    });
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  it('logs in, consents, remembers both, then skips both screens in the same browser', async () => {
    const browser = new Browser();
    const seen: OAuth2LoginRequest[] = [];
    const login = await handleLogin(admin, await startAt(browser, authorizeUrl(t, client, 'openid email')), (request) => {
      seen.push(request);
      return { subject: 'alice', remember: true, acr: 'urn:acr:pwd', amr: ['pwd'] };
    });
    expect(seen[0]).to.include({ skip: false, subject: '' });
    expect(seen[0]?.client.client_id).to.equal(client.client_id);
    const consentChallenge = challengeOf(await follow(browser, login.redirectTo), 'consent_challenge');
    const consent = await handleConsent(admin, consentChallenge, {
      decide: (request) => ({ grant_scope: request.requested_scope, remember: true, session: claimsFor(request) }),
      claims: never('claims on a screen that is shown'),
    });
    const tokens = await exchangeCode(t, client, new URL(await follow(browser, consent.redirectTo)));
    expect(jwtClaims(tokens.id_token)).to.include({ sub: 'alice', email: 'alice@example.com', acr: 'urn:acr:pwd' });
    expect(await admin.introspectToken(tokens.access_token)).to.deep.include({ active: true, sub: 'alice', ext: { tier: 'gold' } });

    // Second authorization: the remembered login and consent make both requests skip.
    const again = await startAt(browser, authorizeUrl(t, client, 'openid email'));
    expect(await admin.getLoginRequest(again)).to.include({ skip: true, subject: 'alice' });
    const skippedLogin = await handleLogin(admin, again, never('authenticate on a skipped login'));
    const skippedChallenge = challengeOf(await follow(browser, skippedLogin.redirectTo), 'consent_challenge');
    expect(await admin.getConsentRequest(skippedChallenge)).to.include({ skip: true, subject: 'alice' });
    const skippedConsent = await handleConsent(admin, skippedChallenge, { decide: never('decide on a skipped consent'), claims: claimsFor });
    const callback = new URL(await follow(browser, skippedConsent.redirectTo));
    expect(callback.searchParams.get('scope')).to.equal('openid email');
    const second = await exchangeCode(t, client, callback);
    expect(jwtClaims(second.id_token)).to.include({ sub: 'alice', email: 'alice@example.com' });
    expect(second.scope).to.equal('openid email');
  });

  it('returns { show } when authenticate says render or nothing, and accepts on the later POST', async () => {
    const browser = new Browser();
    const challenge = await startAt(browser, authorizeUrl(t, client, 'openid'));
    const first = await handleLogin(admin, challenge, () => undefined);
    expect(first.redirectTo).to.equal(undefined);
    expect(first.show).to.include({ challenge, skip: false });
    expect(first.render).to.equal(undefined);
    const wrong = await handleLogin(admin, challenge, () => ({ render: { error: 'Wrong password' } }));
    expect(wrong.render).to.deep.equal({ error: 'Wrong password' });
    const ok = await handleLogin(admin, challenge, () => ({ subject: 'bob' }));
    const consentChallenge = challengeOf(await follow(browser, ok.redirectTo), 'consent_challenge');
    const page = await handleConsent(admin, consentChallenge, () => ({ render: 'consent page' }));
    expect(page).to.deep.include({ render: 'consent page' });
    expect(page.show?.requested_scope).to.deep.equal(['openid']);
    expect(page.show?.subject).to.equal('bob');
  });

  it('skips consent for a client registered with skip_consent, granting exactly what was requested', async () => {
    const firstParty = await admin.createClient({ redirect_uris: [REDIRECT], scope: 'openid email profile', skip_consent: true });
    const browser = new Browser();
    const login = await handleLogin(admin, await startAt(browser, authorizeUrl(t, firstParty, 'openid profile')), () => ({ subject: 'carol' }));
    const challenge = challengeOf(await follow(browser, login.redirectTo), 'consent_challenge');
    const consent = await handleConsent(admin, challenge, never('decide for a skip_consent client'));
    const tokens = await exchangeCode(t, firstParty, new URL(await follow(browser, consent.redirectTo)));
    expect(tokens.scope).to.equal('openid profile');
    expect(jwtClaims(tokens.id_token)).to.include({ sub: 'carol' });
  });

  it('rejects login and consent; the error reaches the client', async () => {
    const browser = new Browser();
    const login = await handleLogin(admin, await startAt(browser, authorizeUrl(t, client, 'openid')), () => ({ reject: {} }));
    expect(new URL(await follow(browser, login.redirectTo)).searchParams.get('error')).to.equal('access_denied');

    const other = new Browser();
    const accepted = await handleLogin(admin, await startAt(other, authorizeUrl(t, client, 'openid')), () => ({ subject: 'dave' }));
    const challenge = challengeOf(await follow(other, accepted.redirectTo), 'consent_challenge');
    const consent = await handleConsent(admin, challenge, () => ({ reject: { error: 'access_denied', error_description: 'The user said no.' } }));
    const callback = new URL(await follow(other, consent.redirectTo));
    expect(callback.searchParams.get('error')).to.equal('access_denied');
    expect(callback.searchParams.get('error_description')).to.contain('The user said no.');
  });

  it('answers 410 with redirectTo once the verifier was used; the browser restarts there', async () => {
    const browser = new Browser();
    const challenge = await startAt(browser, authorizeUrl(t, client, 'openid'));
    const { request_url: requestUrl } = await admin.getLoginRequest(challenge);
    const login = await handleLogin(admin, challenge, () => ({ subject: 'erin', remember: true }));
    await follow(browser, login.redirectTo);

    const err = await rejection(admin.acceptLoginRequest(challenge, { subject: 'erin' }));
    expect(err).to.include({ status: 410, error: 'gone', redirectTo: requestUrl });
    expect(err.requestId).to.be.a('string');
    expect(await rejection(handleLogin(admin, challenge, never('authenticate')))).to.include({ status: 410, redirectTo: requestUrl });
    expect(await rejection(admin.getLoginRequest(challenge))).to.include({ status: 410 });

    // Restarting at redirectTo opens a new flow, skipped thanks to the remembered login.
    const restarted = await startAt(browser, err.redirectTo ?? '');
    expect(restarted).not.to.equal(challenge);
    expect(await admin.getLoginRequest(restarted)).to.include({ skip: true, subject: 'erin' });
  });

  it('answers 410 for a consent challenge whose verifier was used', async () => {
    const browser = new Browser();
    const login = await handleLogin(admin, await startAt(browser, authorizeUrl(t, client, 'openid')), () => ({ subject: 'frank' }));
    const challenge = challengeOf(await follow(browser, login.redirectTo), 'consent_challenge');
    const consent = await handleConsent(admin, challenge, (request) => ({ grant_scope: request.requested_scope }));
    await follow(browser, consent.redirectTo);
    const err = await rejection(handleConsent(admin, challenge, never('decide')));
    expect(err).to.include({ status: 410, error: 'gone' });
    expect(err.redirectTo).to.contain('/oauth2/auth?');
  });

  it('turns unknown or missing challenges into 404 and 400 TesseraErrors', async () => {
    expect(await rejection(handleLogin(admin, 'no-such-challenge', never('authenticate')))).to.include({ status: 404, error: 'not_found' });
    expect(await rejection(admin.getConsentRequest(''))).to.include({ status: 400, error: 'invalid_request' });
    expect(await rejection(admin.rejectConsentRequest('no-such-challenge'))).to.include({ status: 404 });
  });
});
