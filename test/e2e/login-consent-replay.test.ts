import { expect } from 'chai';
import { describeEachBackend, type Database } from '../helpers/databases.js';
import { startTessera, type Running } from '../helpers/tessera.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { Browser } from '../helpers/browser.js';
import { CONSENT_URL, FLOW_URLS } from '../helpers/flow.js';
import {
  REDIRECT,
  adminApi,
  atClient,
  authorization,
  errorAtClient,
  exchange,
  redirectTo,
  refused,
  sleep,
  toCode,
  toConsent,
  toLogin,
  type RedirectTo,
} from './login-consent-support.js';

/*
 * "Accepting a handled challenge again, replaying a login_verifier or
 * consent_verifier, or presenting one from another browser never mints a
 * second code." (DESIGN.md: every challenge and verifier is single-use,
 * expires, and is bound to the browser that started the flow.)
 */

const CLIENT = {
  client_name: 'replay',
  redirect_uris: [REDIRECT],
  grant_types: ['authorization_code', 'refresh_token'],
  scope: 'openid offline_access',
};

describeEachBackend('login and consent: single use and replay', (backend) => {
  let db: Database;
  let t: Running;
  let client: CreatedClient;
  let api: ReturnType<typeof adminApi>;

  before(async () => {
    db = await backend.create();
    t = await startTessera(db, FLOW_URLS);
    api = adminApi(t);
    client = await createClient(t.adminUrl, CLIENT);
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  async function atLogin(browser = new Browser()) {
    const authz = authorization(t, client.client_id);
    return { browser, authz, challenge: await toLogin(browser, authz.url) };
  }

  async function atConsent() {
    const at = await atLogin();
    const loginVerifierUrl = redirectTo(await api.acceptLogin(at.challenge, { subject: 'alice' }));
    return { ...at, loginChallenge: at.challenge, loginVerifierUrl, challenge: await toConsent(at.browser, loginVerifierUrl) };
  }

  const expectGone = (res: { status: number; text: string; body: unknown }, requestUrl: string) => {
    expect(res.status, res.text).to.equal(410);
    expect((res.body as RedirectTo).redirect_to).to.equal(requestUrl);
  };

  it('a login challenge accepted twice: only the newest verifier goes on', async () => {
    const { browser, authz, challenge } = await atLogin();
    const first = redirectTo(await api.acceptLogin(challenge, { subject: 'alice' }));
    const second = redirectTo(await api.acceptLogin(challenge, { subject: 'bob' }));
    expect(second).not.to.equal(first);
    refused(await browser.get(first));
    const consentChallenge = await toConsent(browser, second);
    expect((await api.getConsent(consentChallenge)).body.subject).to.equal('bob');
    refused(await browser.get(first));
    const code = await toCode(browser, redirectTo(await api.acceptConsent(consentChallenge, { grant_scope: ['openid'] })));
    expect((await exchange(t, client, code, authz.verifier)).status).to.equal(200);
  });

  it('a login rejected, then accepted: the accept wins; the reject\'s verifier is dead', async () => {
    const { browser, challenge } = await atLogin();
    const rejected = redirectTo(await api.rejectLogin(challenge, {}));
    const accepted = redirectTo(await api.acceptLogin(challenge, { subject: 'alice' }));
    refused(await browser.get(rejected));
    await toConsent(browser, accepted);
  });

  it('a consent challenge accepted twice: only the newest verifier gives a code, with the newest grant', async () => {
    const { browser, authz, challenge } = await atConsent();
    const first = redirectTo(await api.acceptConsent(challenge, { grant_scope: ['openid', 'offline_access'] }));
    const second = redirectTo(await api.acceptConsent(challenge, { grant_scope: ['openid'] }));
    expect(second).not.to.equal(first);
    refused(await browser.get(first));
    const code = await toCode(browser, second);
    refused(await browser.get(first));
    const tokens = await exchange(t, client, code, authz.verifier);
    expect(tokens.status, tokens.text).to.equal(200);
    expect(tokens.body.scope).to.equal('openid');
  });

  it('once its verifier was used, the login challenge is gone: 410 {redirect_to: request_url}', async () => {
    const { challenge, loginChallenge } = await atConsent();
    const requestUrl = (await api.getConsent(challenge)).body.request_url;
    expectGone(await api.getLogin(loginChallenge), requestUrl);
    expectGone(await api.acceptLogin(loginChallenge, { subject: 'mallory' }), requestUrl);
    expectGone(await api.rejectLogin(loginChallenge, {}), requestUrl);
    expect((await api.getConsent(challenge)).body.subject).to.equal('alice');
  });

  it('once its verifier was used, the consent challenge is gone: 410 {redirect_to: request_url}', async () => {
    const { browser, challenge, loginChallenge } = await atConsent();
    const requestUrl = (await api.getConsent(challenge)).body.request_url;
    await toCode(browser, redirectTo(await api.acceptConsent(challenge, { grant_scope: ['openid'] })));
    expectGone(await api.getConsent(challenge), requestUrl);
    expectGone(await api.acceptConsent(challenge, { grant_scope: ['openid'] }), requestUrl);
    expectGone(await api.rejectConsent(challenge, {}), requestUrl);
    expectGone(await api.getLogin(loginChallenge), requestUrl);
    expectGone(await api.acceptLogin(loginChallenge, { subject: 'alice' }), requestUrl);
  });

  it('a replayed login_verifier in the same browser gets no consent challenge, only an error at the client', async () => {
    const { browser, authz, loginVerifierUrl } = await atConsent();
    errorAtClient(await browser.get(loginVerifierUrl), t, authz.state);
  });

  it('a replayed consent_verifier after the code was issued gets an error at the client, no code', async () => {
    const { browser, authz, challenge } = await atConsent();
    const verifierUrl = redirectTo(await api.acceptConsent(challenge, { grant_scope: ['openid'] }));
    await toCode(browser, verifierUrl);
    errorAtClient(await browser.get(verifierUrl), t, authz.state);
    errorAtClient(await browser.get(verifierUrl), t, authz.state);
  });

  it('a replayed consent_verifier after a consent reject gets no code either', async () => {
    const { browser, authz, challenge } = await atConsent();
    const verifierUrl = redirectTo(await api.rejectConsent(challenge, {}));
    errorAtClient(await browser.get(verifierUrl), t, authz.state);
    errorAtClient(await browser.get(verifierUrl), t, authz.state);
  });

  it('a login_verifier from another browser is request_forbidden; the right browser still goes on, once', async () => {
    const { browser, authz, challenge } = await atLogin();
    const verifierUrl = redirectTo(await api.acceptLogin(challenge, { subject: 'alice' }));
    const other = new Browser();
    await atLogin(other); // a tessera_browser cookie of its own
    expect(other.cookies.get('tessera_browser')).to.be.a('string');
    for (const stranger of [new Browser(), other]) {
      const back = errorAtClient(await stranger.get(verifierUrl), t, authz.state);
      expect(back.searchParams.get('error')).to.equal('request_forbidden');
    }
    const consentChallenge = await toConsent(browser, verifierUrl);
    refused(await browser.get(verifierUrl));
    const code = await toCode(browser, redirectTo(await api.acceptConsent(consentChallenge, { grant_scope: ['openid'] })));
    expect((await exchange(t, client, code, authz.verifier)).status).to.equal(200);
  });

  it('a consent_verifier from another browser is request_forbidden; the right browser still gets one code', async () => {
    const { browser, authz, challenge } = await atConsent();
    const verifierUrl = redirectTo(await api.acceptConsent(challenge, { grant_scope: ['openid'] }));
    const other = new Browser();
    await atLogin(other);
    for (const stranger of [new Browser(), other]) {
      const back = errorAtClient(await stranger.get(verifierUrl), t, authz.state);
      expect(back.searchParams.get('error')).to.equal('request_forbidden');
    }
    const code = await toCode(browser, verifierUrl);
    errorAtClient(await browser.get(verifierUrl), t, authz.state);
    expect((await exchange(t, client, code, authz.verifier)).status).to.equal(200);
  });

  it('the parameters next to a verifier cannot steer the code: it goes where the flow began, with its state', async () => {
    const { browser, authz, challenge } = await atConsent();
    const verifierUrl = new URL(redirectTo(await api.acceptConsent(challenge, { grant_scope: ['openid'] })));
    const other = await createClient(t.adminUrl, { ...CLIENT, redirect_uris: ['http://127.0.0.1:7777/evil'] });
    const foreign = new URL(verifierUrl);
    foreign.searchParams.set('client_id', other.client_id);
    foreign.searchParams.set('redirect_uri', 'http://127.0.0.1:7777/evil');
    refused(await browser.get(foreign.href), ['invalid_request']);
    const tampered = new URL(verifierUrl);
    tampered.searchParams.set('redirect_uri', 'http://127.0.0.1:7777/evil');
    tampered.searchParams.set('state', 'attacker-state');
    tampered.searchParams.set('scope', 'openid offline_access');
    const back = atClient(await browser.get(tampered.href));
    expect(back.searchParams.get('state')).to.equal(authz.state);
    expect(back.searchParams.get('scope')).to.equal('openid');
    expect((await exchange(t, client, back.searchParams.get('code') ?? '', authz.verifier)).body.scope).to.equal('openid');
  });

  it('a forged tessera_browser cookie does not pass for the right browser', async () => {
    const { authz, challenge } = await atLogin();
    const verifierUrl = redirectTo(await api.acceptLogin(challenge, { subject: 'alice' }));
    const forger = new Browser();
    forger.cookies.set('tessera_browser', 'A'.repeat(43));
    const back = errorAtClient(await forger.get(verifierUrl), t, authz.state);
    expect(back.searchParams.get('error')).to.equal('request_forbidden');
  });

  it('20 parallel accepts of one login challenge: 200 or 410 each, and exactly one verifier goes on', async () => {
    const { browser, authz, challenge } = await atLogin();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => api.acceptLogin(challenge, { subject: `user-${i}` })));
    const verifiers = new Map<string, string>();
    answers.forEach((res, i) => {
      expect([200, 410], res.text).to.include(res.status);
      if (res.status === 200) verifiers.set(res.body.redirect_to, `user-${i}`);
    });
    expect(verifiers.size).to.be.greaterThan(0);
    const urls = [...verifiers.keys()];
    const followed = await Promise.all(urls.map((url) => browser.get(url)));
    const onwards = followed.flatMap((res, i) => (res.location?.startsWith(`${CONSENT_URL}?`) ? [{ res, subject: verifiers.get(urls[i] ?? '') }] : []));
    expect(onwards, followed.map((r) => `${r.status} ${r.location ?? r.body}`).join('\n')).to.have.length(1);
    for (const res of followed) if (!res.location?.startsWith(`${CONSENT_URL}?`)) refused(res);
    const [winner] = onwards;
    const consentChallenge = new URL(winner?.res.location ?? '').searchParams.get('consent_challenge') ?? '';
    // The verifier and the decision it carries were written together.
    expect((await api.getConsent(consentChallenge)).body.subject).to.equal(winner?.subject);
    const code = await toCode(browser, redirectTo(await api.acceptConsent(consentChallenge, { grant_scope: ['openid'] })));
    expect((await exchange(t, client, code, authz.verifier)).status).to.equal(200);
  });

  it('20 accepts racing the browser that follows each answer at once: exactly one consent challenge', async () => {
    const { browser, challenge } = await atLogin();
    const races = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const res = await api.acceptLogin(challenge, { subject: `racer-${i}` });
        expect([200, 410], res.text).to.include(res.status);
        return res.status === 200 ? { subject: `racer-${i}`, followed: await browser.get(res.body.redirect_to) } : undefined;
      }),
    );
    const followed = races.flatMap((r) => (r ? [r] : []));
    const onwards = followed.filter((r) => r.followed.location?.startsWith(`${CONSENT_URL}?`));
    expect(onwards, followed.map((r) => `${r.followed.status} ${r.followed.location ?? r.followed.body}`).join('\n')).to.have.length(1);
    for (const r of followed) if (r !== onwards[0]) refused(r.followed);
    const consentChallenge = new URL(onwards[0]?.followed.location ?? '').searchParams.get('consent_challenge') ?? '';
    expect((await api.getConsent(consentChallenge)).body.subject).to.equal(onwards[0]?.subject);
  });

  it('10 parallel GETs of one login_verifier: exactly one consent challenge', async () => {
    const { browser, challenge } = await atLogin();
    const verifierUrl = redirectTo(await api.acceptLogin(challenge, { subject: 'alice' }));
    const followed = await Promise.all(Array.from({ length: 10 }, () => browser.get(verifierUrl)));
    const onwards = followed.filter((res) => res.location?.startsWith(`${CONSENT_URL}?`));
    expect(onwards, followed.map((r) => `${r.status} ${r.location ?? r.body}`).join('\n')).to.have.length(1);
    for (const res of followed) if (res !== onwards[0]) refused(res);
  });

  it('10 parallel GETs of one consent_verifier: exactly one code', async () => {
    const { browser, authz, challenge } = await atConsent();
    const verifierUrl = redirectTo(await api.acceptConsent(challenge, { grant_scope: ['openid'] }));
    const followed = await Promise.all(Array.from({ length: 10 }, () => browser.get(verifierUrl)));
    const codes = followed.flatMap((res) => {
      const code = res.location === undefined ? null : new URL(res.location).searchParams.get('code');
      return code === null ? [] : [code];
    });
    expect(codes, followed.map((r) => `${r.status} ${r.location ?? r.body}`).join('\n')).to.have.length(1);
    for (const res of followed) if (!res.location?.includes('code=')) refused(res);
    expect((await exchange(t, client, codes[0] ?? '', authz.verifier)).status).to.equal(200);
  });
});

describeEachBackend('login and consent: expiry (ttl.login_consent_request = 1s)', (backend) => {
  let db: Database;
  let t: Running;
  let client: CreatedClient;
  let api: ReturnType<typeof adminApi>;

  before(async () => {
    db = await backend.create();
    t = await startTessera(db, { ...FLOW_URLS, ttl: { login_consent_request: '1s' } });
    api = adminApi(t);
    client = await createClient(t.adminUrl, CLIENT);
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  it('an expired login request is gone: 410', async () => {
    const browser = new Browser();
    const challenge = await toLogin(browser, authorization(t, client.client_id).url);
    const requestUrl = (await api.getLogin(challenge)).body.request_url;
    await sleep(1200);
    for (const res of [await api.getLogin(challenge), await api.acceptLogin(challenge, { subject: 'alice' }), await api.rejectLogin(challenge, {})]) {
      expect(res.status, res.text).to.equal(410);
      expect((res.body as RedirectTo).redirect_to).to.equal(requestUrl);
    }
  });

  it('a login_verifier used after expiry ends at the client with an error', async () => {
    const browser = new Browser();
    const authz = authorization(t, client.client_id);
    const challenge = await toLogin(browser, authz.url);
    const verifierUrl = redirectTo(await api.acceptLogin(challenge, { subject: 'alice' }));
    await sleep(1200);
    errorAtClient(await browser.get(verifierUrl), t, authz.state);
  });

  it('an expired consent request is gone, and its verifier gives no code', async () => {
    const browser = new Browser();
    const authz = authorization(t, client.client_id);
    const loginChallenge = await toLogin(browser, authz.url);
    const consentChallenge = await toConsent(browser, redirectTo(await api.acceptLogin(loginChallenge, { subject: 'alice' })));
    const verifierUrl = redirectTo(await api.acceptConsent(consentChallenge, { grant_scope: ['openid'] }));
    await sleep(1200);
    expect((await api.getConsent(consentChallenge)).status).to.equal(410);
    expect((await api.acceptConsent(consentChallenge, { grant_scope: ['openid'] })).status).to.equal(410);
    errorAtClient(await browser.get(verifierUrl), t, authz.state);
  });
});
