import { expect } from 'chai';
import { Agent } from './agent.js';
import { start, submitLogin } from './flow.js';
import { registerRelyingParty, startStack, type RelyingParty, type Stack } from './support.js';

const REDIRECT = 'http://127.0.0.1:9/callback';
const MINUTE = 60_000;

describe('login-consent-app: lock-out after failed sign-ins', () => {
  let stack: Stack;
  let rp: RelyingParty;

  // A fresh app per test: every request comes from 127.0.0.1, so an IP lock would spill into the next test.
  beforeEach(async () => {
    stack = await startStack({ throttle: { account: { limit: 3, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE }, ip: { limit: 5, windowMs: 15 * MINUTE, lockMs: 10 * MINUTE } } });
    rp = await registerRelyingParty(stack, REDIRECT);
  });
  afterEach(async () => stack?.stop());

  it('locks the account after 3 failures, even for the right password, and says when to try again', async () => {
    const agent = new Agent();
    let { page } = await start(agent, rp, 'openid');
    for (let i = 0; i < 3; i++) {
      page = await submitLogin(agent, page, { password: `wrong-${i}` });
      expect(page.status).to.equal(200);
    }
    const locked = await submitLogin(agent, page);
    expect(locked.status).to.equal(429);
    expect(Number(locked.headers.get('retry-after'))).to.be.within(14 * 60, 15 * 60);
    expect(locked.body).to.include('Too many failed sign-in attempts. Try again in 15 minutes.');
    expect(locked.location).to.equal(undefined);
  });

  it('counts unknown e-mail addresses like known ones (a lock reveals nothing)', async () => {
    const agent = new Agent();
    let { page } = await start(agent, rp, 'openid');
    for (let i = 0; i < 3; i++) page = await submitLogin(agent, page, { email: 'ghost@example.com', password: 'x' });
    expect((await submitLogin(agent, page, { email: 'ghost@example.com', password: 'x' })).status).to.equal(429);
  });

  it('locks the IP across accounts, and a spoofed X-Forwarded-For does not get around it', async () => {
    const agent = new Agent();
    let { page } = await start(agent, rp, 'openid');
    for (let i = 0; i < 5; i++) page = await submitLogin(agent, page, { email: `user${i}@example.com`, password: 'guess' });
    const spoofed = await submitLogin(agent, page, {}, { 'x-forwarded-for': '203.0.113.7' });
    expect(spoofed.status).to.equal(429);
    expect(spoofed.body).to.include('Try again in 10 minutes.');
  });

  it('a successful sign-in clears the account\'s count', async () => {
    const agent = new Agent();
    let { page } = await start(agent, rp, 'openid');
    for (let i = 0; i < 2; i++) page = await submitLogin(agent, page, { password: 'wrong' });
    expect((await submitLogin(agent, page)).status).to.equal(303);
    const second = new Agent();
    ({ page } = await start(second, rp, 'openid'));
    for (let i = 0; i < 2; i++) page = await submitLogin(second, page, { password: 'wrong' });
    expect((await submitLogin(second, page)).status, 'two more failures do not lock').to.equal(303);
  });
});
