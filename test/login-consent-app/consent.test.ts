import { expect } from 'chai';
import { Agent } from './agent.js';
import { atCallback, signInAndAllow, start, submitConsent, submitLogin } from './flow.js';
import { ALICE, redeem, registerRelyingParty, startStack, type RelyingParty, type Stack } from './support.js';

const REDIRECT = 'http://127.0.0.1:9/callback';

describe('login-consent-app: consent page over HTTP', () => {
  let stack: Stack;
  let rp: RelyingParty;

  before(async () => {
    stack = await startStack();
    rp = await registerRelyingParty(stack, REDIRECT, {
      client_name: 'Photo Printer',
      logo_uri: 'https://printer.example/logo.svg',
      policy_uri: 'https://printer.example/privacy',
      tos_uri: 'https://printer.example/terms',
      audience: ['https://api.printer.example'],
    });
  });
  after(async () => stack?.stop());

  async function consentPage(agent: Agent, scope: string, extra: Record<string, string> = {}) {
    const { auth, page: login } = await start(agent, rp, scope, extra);
    const consent = await agent.follow(await submitLogin(agent, login), atCallback(rp));
    expect(consent.url).to.include('/consent?');
    return { auth, consent };
  }

  it('shows the client, its links, each scope with a description, the audiences and who is signed in', async () => {
    const { consent } = await consentPage(new Agent(), 'openid email profile offline_access', { audience: 'https://api.printer.example' });
    const page = consent.body;
    expect(page).to.include('Photo Printer').and.include('src="https://printer.example/logo.svg"');
    expect(page).to.include('href="https://printer.example/privacy"').and.include('href="https://printer.example/terms"');
    expect(page).to.include('Your email address').and.include('Your profile').and.include('Stay connected');
    expect(page).to.include('<code>https://api.printer.example</code>');
    expect(page).to.include(`Signed in as <strong>${ALICE.email}</strong>`);
    // openid is shown ticked but cannot be unticked; the others can.
    expect(page).to.match(/<input type="checkbox" id="scope-openid" checked disabled/);
    expect(page).to.match(/<input type="checkbox" id="scope-email" name="grant_scope" value="email" checked/);
  });

  it('grants only the ticked scopes: an unticked scope and its claims are missing from the tokens', async () => {
    const agent = new Agent();
    const { auth, consent } = await consentPage(agent, 'openid email profile offline_access');
    const done = await agent.follow(await submitConsent(agent, consent, { scopes: ['openid', 'profile', 'offline_access'] }), atCallback(rp));
    const { tokens, claims } = await redeem(rp, done.location ?? '', auth);
    expect(tokens.scope).to.equal('openid profile offline_access');
    expect(claims).to.include({ name: ALICE.name, preferred_username: ALICE.username });
    expect(claims).not.to.have.property('email');
    const info = await stack.admin.introspectToken(tokens.access_token);
    expect(info.scope).to.equal('openid profile offline_access');
  });

  it('keeps openid even when the form leaves it out, and never grants a scope that was not requested', async () => {
    const agent = new Agent();
    const { auth, consent } = await consentPage(agent, 'openid email');
    const done = await agent.follow(await submitConsent(agent, consent, { scopes: ['email', 'offline_access', 'profile'] }), atCallback(rp));
    const { tokens, claims } = await redeem(rp, done.location ?? '', auth);
    expect(tokens.scope).to.equal('openid email');
    expect(tokens.refresh_token).to.equal(undefined);
    expect(claims).to.include({ email: ALICE.email, email_verified: true });
    expect(claims).not.to.have.property('name');
  });

  it('deny rejects with access_denied', async () => {
    const agent = new Agent();
    const { consent } = await consentPage(agent, 'openid email');
    const denied = await submitConsent(agent, consent, { action: 'deny' });
    expect(denied.status).to.equal(303);
    const back = await agent.follow(denied, atCallback(rp));
    expect(new URL(back.location ?? '').searchParams.get('error')).to.equal('access_denied');
  });

  it('remembered login and consent skip both pages, and the claims are still there', async () => {
    const agent = new Agent();
    await signInAndAllow(agent, stack, rp, 'openid email', { credentials: { remember: true }, decision: { remember: true } });
    const { auth, page } = await start(agent, rp, 'openid email');
    expect(page.location, 'straight back to the client').to.match(/^http:\/\/127\.0\.0\.1:9\/callback\?code=/);
    const { claims } = await redeem(rp, page.location ?? '', auth);
    expect(claims).to.include({ sub: stack.alice.id, email: ALICE.email });
    // More scopes than were granted: the consent page again, but not the login page.
    const { page: wider } = await start(agent, rp, 'openid email profile');
    expect(wider.url).to.include('/consent?');
  });

  it('refuses a disabled user, at the login form and with a remembered session', async () => {
    const bob = await stack.app.users.add({ email: 'bob@example.com', password: 'bob-password' });
    const agent = new Agent();
    await signInAndAllow(agent, stack, rp, 'openid', { credentials: { email: bob.email, password: 'bob-password', remember: true }, decision: { remember: true } });
    await stack.app.users.setDisabled(bob.email, true);

    const { page: skipped } = await start(agent, rp, 'openid');
    expect(new URL(skipped.location ?? '').searchParams.get('error')).to.equal('access_denied');
    const fresh = new Agent();
    const { page: login } = await start(fresh, rp, 'openid');
    const refused = await submitLogin(fresh, login, { email: bob.email, password: 'bob-password' });
    expect(refused.status).to.equal(200);
    expect(refused.location).to.equal(undefined);
    expect(refused.body).to.include('The email address or password is incorrect.');
  });
});
