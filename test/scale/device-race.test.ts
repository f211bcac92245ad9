import { expect } from 'chai';
import { describeEachBackend } from '../helpers/databases.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { Browser } from '../helpers/browser.js';
import { CONSENT_URL, LOGIN_URL } from '../helpers/flow.js';
import { DEVICE_GRANT, DEVICE_PAGE, DEVICE_SUCCESS, acceptUserCode, deviceAuth, poll, type TokenAnswer } from '../e2e/device-support.js';
import { adminOf, byError, byStatus, hop, race, redirectTo, startPair, type Outcome, type Pair } from './support.js';

/*
 * Issue 13, item 3: exactly one token response per device code, even when
 * polls race on two processes (one database). The polling interval is 0 s
 * here so every racer reaches the exchange itself (with an interval, the
 * conditional poll UPDATE would turn most of them into slow_down first);
 * the user code's claim is raced the same way.
 */

const RACERS = 40;

describeEachBackend('device flow races on two processes', (backend) => {
  let pair: Pair;
  let client: CreatedClient;

  before(async function () {
    this.timeout(60_000);
    pair = await startPair(backend, {
      URLS_DEVICE_VERIFICATION: DEVICE_PAGE,
      URLS_DEVICE_SUCCESS: DEVICE_SUCCESS,
      OAUTH2_DEVICE_AUTHORIZATION_TOKEN_POLLING_INTERVAL: '0s',
    });
    client = await createClient(pair.a.adminUrl, { grant_types: [DEVICE_GRANT, 'refresh_token'], scope: 'openid offline_access' });
  });
  after(async () => {
    await pair?.stop();
  });

  it('of racing polls on A and B exactly one gets tokens; the user code is claimed once', async () => {
    const started = await deviceAuth(pair.a, client, { scope: 'openid offline_access' });
    expect(started.status, started.text).to.equal(200);

    // Twenty browsers enter the same code at once, on both processes: one claim wins.
    const browsers = Array.from({ length: 20 }, () => new Browser());
    const challenges = await Promise.all(browsers.map((b, i) => hop(b, `${pair.at(i).publicUrl}/oauth2/device/verify`, DEVICE_PAGE, 'device_challenge')));
    const claims = await race(challenges.length, (i) => acceptUserCode(pair.at(i), challenges[i] ?? '', started.body.user_code));
    const claimed = claims.map((c, i) => ({ c, i })).filter(({ c }) => c.status === 200);
    expect(claimed, JSON.stringify(byStatus(claims))).to.have.length(1);
    expect(claims.filter((c) => c.status !== 200).every((c) => c.status === 400), JSON.stringify(byStatus(claims))).to.equal(true);

    // The winner's browser goes on through login and consent (on B, then A).
    const winner = claimed[0] as { c: Outcome<{ redirect_to?: string }>; i: number };
    const browser = browsers[winner.i] as Browser;
    const onB = (url: string) => url.replace(pair.a.publicUrl, pair.b.publicUrl);
    const loginChallenge = await hop(browser, onB(winner.c.body?.redirect_to ?? ''), LOGIN_URL, 'login_challenge');
    const consentChallenge = await hop(browser, onB(redirectTo(await adminOf(pair.b).acceptLogin(loginChallenge, { subject: 'racer' }))), CONSENT_URL, 'consent_challenge');
    const done = await browser.get(redirectTo(await adminOf(pair.a).acceptConsent(consentChallenge, { grant_scope: ['openid', 'offline_access'] })));
    expect(done.location).to.equal(`${DEVICE_SUCCESS}?client_id=${client.client_id}`);

    const outcomes = await race(RACERS, (i) => poll(pair.at(i), client, started.body.device_code));
    const summary = JSON.stringify({ status: byStatus(outcomes), errors: byError(outcomes) }) + pair.logs().slice(-2000);
    const won = outcomes.filter((o) => o.status === 200);
    expect(won, summary).to.have.length(1);
    expect((won[0]?.body as TokenAnswer).access_token, summary).to.match(/^ory_at_/);
    expect(outcomes.filter((o) => o.status !== 200).every((o) => o.status === 400 && (o.body as TokenAnswer).error === 'invalid_grant'), summary).to.equal(true);
  });
});
