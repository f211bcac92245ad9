import { expect } from 'chai';
import { DEMO_CLIENT_ID } from '../../login-consent-app/src/demo/client.js';
import { DEMO_USER, startApp } from '../../login-consent-app/src/server.js';
import { DEFAULT_THROTTLE } from '../../login-consent-app/src/users/throttle.js';
import { freePort } from '../helpers/ports.js';
import { Agent } from './agent.js';
import { expectSecurityHeaders, startStack, type Stack } from './support.js';

describe('login-consent-app --dev: seeded user and demo client over HTTP', () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack({ dev: true });
  });
  after(async () => stack?.stop());

  it('seeds foo@bar.com and registers the demo client with PKCE-ready settings and a printable authorization URL', async () => {
    const foo = await stack.app.users.byEmail(DEMO_USER.email);
    expect(foo).to.include({ name: DEMO_USER.name, username: DEMO_USER.username, emailVerified: true, disabled: false });
    const client = await stack.admin.getClient(DEMO_CLIENT_ID);
    expect(client.redirect_uris).to.deep.equal([`${stack.appUrl}/demo/callback`]);
    expect(client.grant_types).to.have.members(['authorization_code', 'refresh_token']);
    expect(client.scope).to.equal('openid offline_access email profile');
    const printed = new URL(stack.app.dev?.authorizationUrl ?? '');
    expect(printed.origin).to.equal(stack.tessera.publicUrl);
    expect(printed.searchParams.get('code_challenge_method')).to.equal('S256');
    expect(printed.searchParams.get('client_id')).to.equal(DEMO_CLIENT_ID);
  });

  it('the printed authorization URL leads to the login page', async () => {
    const agent = new Agent();
    const page = await agent.follow(await agent.get(stack.app.dev?.authorizationUrl ?? ''));
    expect(page.url).to.match(new RegExp(`^${stack.appUrl}/login\\?login_challenge=`));
  });

  it('serves /demo with the security headers, refuses a forged form, and knows only its own buttons', async () => {
    const agent = new Agent();
    const demo = await agent.get(`${stack.appUrl}/demo`);
    expect(demo.status).to.equal(200);
    expectSecurityHeaders(demo.headers, '/demo');
    expect(demo.body).to.include('Sign in with Tessera');
    const forged = await agent.post(`${stack.appUrl}/demo/refresh`, [['csrf', 'forged']]);
    expect(forged.status).to.equal(303);
    expect((await agent.get(`${stack.appUrl}/demo`)).body).to.include('The form expired');
    for (const action of ['toString', 'constructor', '__proto__', 'nope']) {
      expect((await agent.post(`${stack.appUrl}/demo/${action}`, [['csrf', 'x']])).status, action).to.equal(404);
    }
  });

  it('a second start re-registers the demo client with a new secret instead of failing', async () => {
    const port = await freePort();
    const again = await startApp(
      {
        port,
        host: '127.0.0.1',
        dev: true,
        adminUrl: stack.tessera.adminUrl,
        publicUrl: stack.tessera.publicUrl,
        appUrl: stack.appUrl,
        dsn: 'sqlite://:memory:',
        cookieSecret: 'another-test-cookie-secret-0123456789abcdef',
        trustProxy: false,
        throttle: DEFAULT_THROTTLE,
      },
      () => undefined,
    );
    try {
      expect(again.dev?.authorizationUrl).to.include(`client_id=${DEMO_CLIENT_ID}`);
    } finally {
      await again.close();
    }
  });
});

