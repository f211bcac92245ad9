import { expect } from 'chai';
import { Agent } from './agent.js';
import { signInAndAllow, start } from './flow.js';
import { csrfOf, expectSecurityHeaders, registerRelyingParty, startStack, type RelyingParty, type Stack } from './support.js';

const REDIRECT = 'http://127.0.0.1:9/callback';
const SIGNED_OUT = 'http://127.0.0.1:9/signed-out';

describe('login-consent-app: logout page over HTTP', () => {
  let stack: Stack;
  let rp: RelyingParty;

  before(async () => {
    stack = await startStack();
    rp = await registerRelyingParty(stack, REDIRECT, { client_name: 'Newsroom' });
  });
  after(async () => stack?.stop());

  /** A browser with a remembered login, sent to Tessera's end-session endpoint by the client: lands on the logout page. */
  async function logoutPage(agent: Agent) {
    const params = new URLSearchParams({ client_id: rp.client.client_id, post_logout_redirect_uri: SIGNED_OUT, state: 'state-after-logout' });
    const page = await agent.follow(await agent.get(`${stack.tessera.publicUrl}/oauth2/sessions/logout?${params.toString()}`));
    expect(page.url).to.match(new RegExp(`^${stack.appUrl}/logout\\?logout_challenge=`));
    return page;
  }

  async function signedIn(): Promise<Agent> {
    const agent = new Agent();
    await signInAndAllow(agent, stack, rp, 'openid', { credentials: { remember: true } });
    return agent;
  }

  it('asks first, naming the client; the page has the security headers', async () => {
    const page = await logoutPage(await signedIn());
    expect(page.status).to.equal(200);
    expectSecurityHeaders(page.headers, 'logout page');
    expect(page.body).to.include('<strong>Newsroom</strong> asks to sign you out.');
    expect(page.body).to.include('value="logout"').and.include('value="stay"');
  });

  it('"Stay signed in" rejects: the session lives on and the next sign-in skips the login page', async () => {
    const agent = await signedIn();
    const page = await logoutPage(agent);
    const stayed = await agent.post(page.url, [['csrf', csrfOf(page.body)], ['action', 'stay']]);
    expect(stayed.status).to.equal(200);
    expect(stayed.body).to.include('You are still signed in');
    const { page: next } = await start(agent, rp, 'openid');
    expect(next.url, 'no login page').not.to.include('/login?');
  });

  it('"Sign out" accepts with 303: Tessera ends the session and returns to the client with its state', async () => {
    const agent = await signedIn();
    const page = await logoutPage(agent);
    const accepted = await agent.post(page.url, [['csrf', csrfOf(page.body)], ['action', 'logout']]);
    expect(accepted.status).to.equal(303);
    expect(accepted.location).to.match(new RegExp(`^${stack.tessera.publicUrl}/oauth2/sessions/logout\\?logout_verifier=`));
    const back = await agent.follow(accepted, (url) => url.startsWith(SIGNED_OUT));
    expect(back.location).to.equal(`${SIGNED_OUT}?state=state-after-logout`);
    const { page: next } = await start(agent, rp, 'openid');
    expect(next.url, 'the login page again').to.include('/login?');
    expect(next.location).to.equal(undefined);
  });

  it('refuses a logout POST without the CSRF token: nobody is signed out by a forged form', async () => {
    const agent = await signedIn();
    const page = await logoutPage(agent);
    const forged = await agent.post(page.url, [['action', 'logout']]);
    expect(forged.status).to.equal(403);
    const { page: next } = await start(agent, rp, 'openid');
    expect(next.location ?? next.url).not.to.include('/login?');
  });
});
