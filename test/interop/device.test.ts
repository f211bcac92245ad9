import { expect } from 'chai';
import * as oidc from 'openid-client';
import { Configuration, OAuth2Api } from '@ory/hydra-client';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera } from '../helpers/tessera.js';
import { Browser } from '../helpers/browser.js';
import { CONSENT_URL, LOGIN_URL } from '../helpers/flow.js';
import { deviceChallenge, DEVICE_GRANT, DEVICE_SUCCESS, DEVICE_URLS, USER_CODE } from '../e2e/device-support.js';

/*
 * Issue 13, "done when": a device on openid-client (initiateDeviceAuthorization,
 * pollDeviceAuthorizationGrant) and a login app on @ory/hydra-client
 * (acceptUserCodeRequest, then the usual login and consent calls) complete
 * the device flow against Tessera, unchanged.
 */

/** One browser hop that must be a 302 to `base`; returns the Location. */
async function hop(browser: Browser, url: string, base: string): Promise<URL> {
  const res = await browser.get(url);
  expect(res.status, `${url} → ${res.status} ${res.location ?? res.body}`).to.equal(302);
  const location = new URL(res.location ?? '');
  expect(`${location.origin}${location.pathname}`, res.location).to.equal(base);
  return location;
}

describeEachBackend('the device flow with openid-client and @ory/hydra-client', (backend) => {
  const h = useTessera(backend, { ...DEVICE_URLS, oauth2: { device_authorization: { token_polling_interval: '1s' } } });
  let hydra: OAuth2Api;
  let clientId: string;

  before(async () => {
    hydra = new OAuth2Api(new Configuration({ basePath: h.t.adminUrl }));
    const created = await hydra.createOAuth2Client({
      oAuth2Client: {
        client_name: 'Kitchen display',
        grant_types: [DEVICE_GRANT, 'refresh_token'],
        token_endpoint_auth_method: 'none',
        scope: 'openid offline_access',
      },
    });
    clientId = created.data.client_id ?? '';
  });

  /** The login app, written with @ory/hydra-client as Ory's examples write one. */
  async function approveWithHydraClient(browser: Browser, userCode: string): Promise<void> {
    const { challenge, userCode: prefilled } = await deviceChallenge(browser, h.t, `?user_code=${encodeURIComponent(userCode)}`);
    expect(prefilled).to.equal(userCode);
    const accepted = await hydra.acceptUserCodeRequest({ deviceChallenge: challenge, acceptDeviceUserCodeRequest: { user_code: prefilled ?? '' } });
    const toLogin = await hop(browser, accepted.data.redirect_to, LOGIN_URL);
    const loginChallenge = toLogin.searchParams.get('login_challenge') ?? '';
    const login = await hydra.getOAuth2LoginRequest({ loginChallenge });
    expect(login.data.client.client_id).to.equal(clientId);
    expect(login.data.requested_scope).to.deep.equal(['openid', 'offline_access']);
    const loggedIn = await hydra.acceptOAuth2LoginRequest({ loginChallenge, acceptOAuth2LoginRequest: { subject: 'dana' } });
    const toConsent = await hop(browser, loggedIn.data.redirect_to, CONSENT_URL);
    const consentChallenge = toConsent.searchParams.get('consent_challenge') ?? '';
    const consent = await hydra.getOAuth2ConsentRequest({ consentChallenge });
    const consented = await hydra.acceptOAuth2ConsentRequest({
      consentChallenge,
      acceptOAuth2ConsentRequest: { grant_scope: consent.data.requested_scope ?? [], session: { id_token: { name: 'Dana' } } },
    });
    const done = await hop(browser, consented.data.redirect_to, DEVICE_SUCCESS);
    expect(done.searchParams.get('client_id')).to.equal(clientId);
  }

  it('openid-client polls while the user approves through a @ory/hydra-client login app', async () => {
    const config = await oidc.discovery(new URL(h.t.config.urls.self.issuer), clientId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    const started = await oidc.initiateDeviceAuthorization(config, { scope: 'openid offline_access' });
    expect(started.user_code).to.match(USER_CODE);
    expect(started.device_code).to.match(/^ory_dc_/);
    const polling = oidc.pollDeviceAuthorizationGrant(config, started);
    // Let the device poll (authorization_pending) at least once before the user acts.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await approveWithHydraClient(new Browser(), started.user_code);
    const tokens = await polling;
    expect(tokens.access_token).to.match(/^ory_at_/);
    expect(tokens.refresh_token).to.match(/^ory_rt_/);
    expect(tokens.claims()).to.include({ sub: 'dana', name: 'Dana' });
  });

  it("@ory/hydra-client's oAuth2DeviceFlow starts a device request on the public port", async () => {
    const publicApi = new OAuth2Api(new Configuration({ basePath: h.t.publicUrl }));
    const res = await publicApi.oAuth2DeviceFlow({
      data: new URLSearchParams({ client_id: clientId, scope: 'openid' }).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(res.data.user_code).to.match(USER_CODE);
    expect(res.data.interval).to.equal(1);
  });

  it('an openid-client device sees access_denied when the user rejects', async () => {
    const config = await oidc.discovery(new URL(h.t.config.urls.self.issuer), clientId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    const started = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
    const polling = oidc.pollDeviceAuthorizationGrant(config, started).then(
      () => expect.fail('the grant should be denied'),
      (err: unknown) => err,
    );
    const browser = new Browser();
    const { challenge } = await deviceChallenge(browser, h.t);
    const accepted = await hydra.acceptUserCodeRequest({ deviceChallenge: challenge, acceptDeviceUserCodeRequest: { user_code: started.user_code } });
    const toLogin = await hop(browser, accepted.data.redirect_to, LOGIN_URL);
    const rejected = await hydra.rejectOAuth2LoginRequest({ loginChallenge: toLogin.searchParams.get('login_challenge') ?? '', rejectOAuth2Request: { error: 'access_denied' } });
    expect((await browser.get(rejected.data.redirect_to)).status).to.equal(403);
    const err = (await polling) as { error?: string };
    expect(err.error).to.equal('access_denied');
  });
});
