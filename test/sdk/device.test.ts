import { expect } from 'chai';
import { handleDevice, TesseraAdmin, TesseraError } from '@tessera/sdk';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera } from '../helpers/tessera.js';
import { Browser } from '../helpers/browser.js';
import { createClient } from '../helpers/clients.js';
import { deviceAuth, deviceChallenge, DEVICE_GRANT, DEVICE_URLS } from '../e2e/device-support.js';

/* The SDK's device operations: acceptUserCodeRequest and the handleDevice helper of a login app's code page. */

describeEachBackend('sdk: acceptUserCodeRequest and handleDevice', (backend) => {
  const h = useTessera(backend, { ...DEVICE_URLS, oauth2: { device_authorization: { user_code_throttle: { per_challenge: 1 } } } });
  let admin: TesseraAdmin;
  before(() => {
    admin = new TesseraAdmin({ baseUrl: h.t.adminUrl });
  });

  it('shows the page, pre-filled; accepts the right code; says "wrong" for a wrong one; restarts a spent challenge', async () => {
    const tv = await createClient(h.t.adminUrl, { grant_types: [DEVICE_GRANT], token_endpoint_auth_method: 'none', scope: 'openid' });
    const started = await deviceAuth(h.t, tv, { scope: 'openid' });
    const browser = new Browser();

    const first = await deviceChallenge(browser, h.t);
    const page = await handleDevice(admin, first.challenge, { prefill: 'BCDF-GHJK' }, (why) => why);
    expect(page).to.deep.equal({ show: { challenge: first.challenge, userCode: 'BCDF-GHJK' }, render: undefined });

    const wrong = await handleDevice(admin, first.challenge, { userCode: 'BBBB-BBBB' }, (why) => why);
    expect(wrong).to.deep.equal({ show: { challenge: first.challenge, userCode: 'BBBB-BBBB' }, render: 'wrong' });
    // One wrong code spends this challenge (per_challenge: 1): the app is sent to get a new one.
    const spent = await handleDevice(admin, first.challenge, { userCode: started.body.user_code });
    expect(spent.redirectTo).to.equal(`${h.t.config.urls.self.issuer}/oauth2/device/verify`);

    const second = await deviceChallenge(browser, h.t);
    const accepted = await handleDevice(admin, second.challenge, { userCode: started.body.user_code.toLowerCase() });
    expect(accepted.redirectTo).to.match(/\/oauth2\/device\/verify\?device_verifier=.+&client_id=/);
    const login = await browser.get(accepted.redirectTo ?? '');
    expect(login.status).to.equal(302);
    expect(login.location).to.match(/^http:\/\/login\.test\/login\?login_challenge=/);
  });

  it('acceptUserCodeRequest throws TesseraError: 404 for an unknown challenge, 400 for an empty code', async () => {
    const unknown = await admin.acceptUserCodeRequest('nope', { user_code: 'BCDF-GHJK' }).catch((e: unknown) => e);
    expect(unknown).to.be.instanceOf(TesseraError);
    expect((unknown as TesseraError).status).to.equal(404);
    const { challenge } = await deviceChallenge(new Browser(), h.t);
    const empty = await admin.acceptUserCodeRequest(challenge, { user_code: '' }).catch((e: unknown) => e);
    expect((empty as TesseraError).status).to.equal(400);
  });
});
