import { expect } from 'chai';
import { loadAppConfig } from '../../login-consent-app/src/config.js';
import { Agent } from './agent.js';
import { signInAndAllow } from './flow.js';
import { ALICE, redeem, registerRelyingParty, startStack, type RelyingParty, type Stack } from './support.js';

/*
 * Issue 12, class 6: with Tessera's admin API behind a bearer token
 * (serve.admin.auth.tokens), the app sends TESSERA_ADMIN_TOKEN through the
 * SDK and every flow works as before.
 */

const TOKEN = 'login-app-admin-token-0123456789abcdefghijklmnop';
const REDIRECT = 'http://127.0.0.1:9/callback';

describe('login-consent-app: Tessera admin API protected by a token', () => {
  let stack: Stack;
  let rp: RelyingParty;

  before(async () => {
    stack = await startStack({ adminToken: TOKEN });
    rp = await registerRelyingParty(stack, REDIRECT);
  });
  after(async () => stack?.stop());

  it('the admin API refuses calls without the token', async () => {
    const res = await fetch(`${stack.tessera.adminUrl}/admin/oauth2/auth/requests/login?login_challenge=x`);
    expect(res.status).to.equal(401);
  });

  it('sign-in and consent complete: the app sends the token it was configured with', async () => {
    const { auth, callback } = await signInAndAllow(new Agent(), stack, rp, 'openid email');
    const { claims } = await redeem(rp, callback, auth);
    expect(claims).to.include({ sub: stack.alice.id, email: ALICE.email });
  });

  it('reads TESSERA_ADMIN_TOKEN from the environment', () => {
    expect(loadAppConfig({ TESSERA_ADMIN_TOKEN: TOKEN }, { dev: true }).adminToken).to.equal(TOKEN);
    expect(loadAppConfig({}, { dev: true }).adminToken).to.equal(undefined);
  });
});
