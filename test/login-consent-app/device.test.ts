import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, type Page } from './agent.js';
import { submitConsent, submitLogin } from './flow.js';
import { csrfOf, startStack, type Stack } from './support.js';
import { deviceAuth, poll, DEVICE_GRANT, type DeviceAuthorization, type TokenAnswer } from '../e2e/device-support.js';
import type { CreatedClient } from '../helpers/clients.js';

/*
 * Issue 13, item 6 over HTTP (the same paths as device.browser.test.ts,
 * which needs Chromium): the code page, the phishing warning on consent,
 * the success page, a wrong code, a denial, each checked on the polling side.
 */

describe('login-consent-app: device pages over HTTP', () => {
  let stack: Stack;
  let tv: CreatedClient;

  before(async () => {
    stack = await startStack();
    const created = await stack.admin.createClient({
      client_name: 'Living-room TV',
      grant_types: [DEVICE_GRANT],
      token_endpoint_auth_method: 'none',
      scope: 'openid email',
    });
    tv = { ...created, client_id: created.client_id ?? '', client_secret: '' };
  });
  after(async () => stack?.stop());

  const t = () => ({ publicUrl: stack.tessera.publicUrl, adminUrl: stack.tessera.adminUrl });
  const start = async (): Promise<DeviceAuthorization> => (await deviceAuth(t(), tv, { scope: 'openid email' })).body;
  async function pollUntilDone(deviceCode: string): Promise<TokenAnswer> {
    for (let i = 0; i < 20; i++) {
      const res = await poll(t(), tv, deviceCode);
      if (res.body.error !== 'authorization_pending') return res.body;
      await sleep(1050);
    }
    throw new Error('still pending');
  }
  const submitCode = (agent: Agent, page: Page, code: string) => agent.post(page.url, [['csrf', csrfOf(page.body)], ['user_code', code], ['action', 'connect']]);

  async function codePage(agent: Agent, url: string): Promise<Page> {
    const page = await agent.follow(await agent.get(url));
    expect(page.status, page.body).to.equal(200);
    expect(page.url).to.match(new RegExp(`^${stack.appUrl}/device\\?device_challenge=`));
    expect(page.body).to.include('<h1>Connect a device</h1>');
    return page;
  }

  it('short URL → Tessera → code page; code → login → consent with the warning → success; the device gets tokens', async () => {
    const device = await start();
    expect(device.verification_uri).to.equal(`${stack.appUrl}/device`);
    const agent = new Agent();
    const page = await codePage(agent, device.verification_uri);
    expect(page.body).to.include('value=""');
    const login = await agent.follow(await submitCode(agent, page, device.user_code));
    expect(login.url).to.match(new RegExp(`^${stack.appUrl}/login\\?`));
    const consent = await agent.follow(await submitLogin(agent, login));
    expect(consent.url).to.match(new RegExp(`^${stack.appUrl}/consent\\?`));
    expect(consent.body).to.include('id="device-warning"').and.include('You are signing in to <strong>Living-room TV</strong> on another device');
    const done = await agent.follow(await submitConsent(agent, consent));
    expect(done.url).to.match(new RegExp(`^${stack.appUrl}/device/success\\?client_id=`));
    expect(done.body).to.include('<h1>Device connected</h1>');
    expect((await pollUntilDone(device.device_code)).access_token).to.match(/^ory_at_/);
  });

  it('verification_uri_complete pre-fills the code; a wrong code is a 400 page with the reason, and the device keeps waiting', async () => {
    const device = await start();
    const agent = new Agent();
    const page = await codePage(agent, device.verification_uri_complete);
    expect(page.body).to.include(`value="${device.user_code}"`);
    const wrong = await submitCode(agent, page, 'BBBB-BBBB');
    expect(wrong.status).to.equal(400);
    expect(wrong.body).to.include('That code is not valid').and.include('value="BBBB-BBBB"');
    expect((await poll(t(), tv, device.device_code)).body.error).to.equal('authorization_pending');
    // A plain code page is never shown by a consent page: no warning on it.
    expect(page.body).to.not.include('device-warning');
  });

  it('a denied consent ends on an error and the device polls access_denied', async () => {
    const device = await start();
    const agent = new Agent();
    const page = await codePage(agent, device.verification_uri_complete);
    const consent = await agent.follow(await submitLogin(agent, await agent.follow(await submitCode(agent, page, device.user_code))));
    const denied = await agent.follow(await submitConsent(agent, consent, { action: 'deny' }));
    expect(denied.status).to.equal(403);
    expect((await pollUntilDone(device.device_code)).error).to.equal('access_denied');
  });

  it('a POST without the page\'s CSRF token is refused', async () => {
    const agent = new Agent();
    const page = await codePage(agent, `${stack.appUrl}/device`);
    const forged = await agent.post(page.url, [['csrf', 'x'], ['user_code', 'BCDF-GHJK']]);
    expect(forged.status).to.equal(403);
  });
});
