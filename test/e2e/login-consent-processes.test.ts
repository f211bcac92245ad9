import { expect } from 'chai';
import { describeEachBackend, type Database } from '../helpers/databases.js';
import { startTessera, type Running } from '../helpers/tessera.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { Browser } from '../helpers/browser.js';
import { CONSENT_URL, FLOW_URLS } from '../helpers/flow.js';
import {
  REDIRECT,
  adminApi,
  authorization,
  errorAtClient,
  exchange,
  redirectTo,
  refused,
  toCode,
  toConsent,
  toLogin,
} from './login-consent-support.js';

/*
 * DESIGN.md: a challenge or verifier "works on whichever Tessera process
 * receives the next request", and stays single-use across them. Two servers
 * on one database, one issuer; the browser's requests alternate between them.
 */

describeEachBackend('login and consent across two processes on one database', (backend) => {
  let db: Database;
  let a: Running;
  let b: Running;
  let client: CreatedClient;

  before(async () => {
    db = await backend.create();
    a = await startTessera(db, FLOW_URLS);
    b = await startTessera(db, { urls: { ...FLOW_URLS.urls, self: { issuer: a.config.urls.self.issuer } } });
    client = await createClient(a.adminUrl, {
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid offline_access',
    });
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
    await db?.drop();
  });

  /** The same URL on the other process's public listener. */
  const on = (t: Running, url: string): string => {
    const moved = new URL(url);
    const base = new URL(t.publicUrl);
    moved.host = base.host;
    return moved.href;
  };

  it('a flow started on one process goes on at the other, step by step', async () => {
    const browser = new Browser();
    const authz = authorization(a, client.client_id);
    const loginChallenge = await toLogin(browser, authz.url);
    expect((await adminApi(b).getLogin(loginChallenge)).body.challenge).to.equal(loginChallenge);
    const loginVerifier = redirectTo(await adminApi(b).acceptLogin(loginChallenge, { subject: 'alice' }));
    const consentChallenge = await toConsent(browser, on(b, loginVerifier));
    expect((await adminApi(a).getConsent(consentChallenge)).body.subject).to.equal('alice');
    const consentVerifier = redirectTo(await adminApi(a).acceptConsent(consentChallenge, { grant_scope: ['openid'] }));
    const code = await toCode(browser, on(b, consentVerifier));
    errorAtClient(await browser.get(on(a, consentVerifier)), a, authz.state);
    errorAtClient(await browser.get(on(a, loginVerifier)), a, authz.state);
    expect((await adminApi(a).getLogin(loginChallenge)).status).to.equal(410);
    const tokens = await exchange(a, client, code, authz.verifier);
    expect(tokens.status, tokens.text).to.equal(200);
  });

  it('one login_verifier and one consent_verifier sent to both processes at once: one consent challenge, one code', async () => {
    const browser = new Browser();
    const authz = authorization(a, client.client_id);
    const loginChallenge = await toLogin(browser, authz.url);
    const loginVerifier = redirectTo(await adminApi(a).acceptLogin(loginChallenge, { subject: 'alice' }));
    const afterLogin = await Promise.all(Array.from({ length: 10 }, (_, i) => browser.get(on(i % 2 === 0 ? a : b, loginVerifier))));
    const onwards = afterLogin.filter((res) => res.location?.startsWith(`${CONSENT_URL}?`));
    expect(onwards, afterLogin.map((r) => `${r.status} ${r.location ?? r.body}`).join('\n')).to.have.length(1);
    for (const res of afterLogin) if (res !== onwards[0]) refused(res);

    const consentChallenge = new URL(onwards[0]?.location ?? '').searchParams.get('consent_challenge') ?? '';
    const consentVerifier = redirectTo(await adminApi(b).acceptConsent(consentChallenge, { grant_scope: ['openid'] }));
    const afterConsent = await Promise.all(Array.from({ length: 10 }, (_, i) => browser.get(on(i % 2 === 0 ? b : a, consentVerifier))));
    const codes = afterConsent.flatMap((res) => {
      const code = res.location === undefined ? null : new URL(res.location).searchParams.get('code');
      return code === null ? [] : [code];
    });
    expect(codes, afterConsent.map((r) => `${r.status} ${r.location ?? r.body}`).join('\n')).to.have.length(1);
    for (const res of afterConsent) if (!res.location?.includes('code=')) refused(res);
    expect((await exchange(b, client, codes[0] ?? '', authz.verifier)).status).to.equal(200);
  });

  it('20 accepts of one login challenge split between the two admin APIs: exactly one verifier goes on', async () => {
    const browser = new Browser();
    const challenge = await toLogin(browser, authorization(a, client.client_id).url);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => adminApi(i % 2 === 0 ? a : b).acceptLogin(challenge, { subject: `user-${i}` })));
    for (const res of answers) expect([200, 410], res.text).to.include(res.status);
    const followed = await Promise.all(answers.filter((res) => res.status === 200).map((res) => browser.get(res.body.redirect_to)));
    expect(followed.filter((res) => res.location?.startsWith(`${CONSENT_URL}?`))).to.have.length(1);
  });
});
