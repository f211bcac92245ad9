import { expect } from 'chai';
import { Agent } from './agent.js';
import { atCallback, signInAndAllow, start, submitLogin } from './flow.js';
import { ALICE, expectSecurityHeaders, redeem, registerRelyingParty, startStack, type RelyingParty, type Stack } from './support.js';

const REDIRECT = 'http://127.0.0.1:9/callback';

describe('login-consent-app: login page over HTTP', () => {
  let stack: Stack;
  let rp: RelyingParty;

  before(async () => {
    stack = await startStack();
    rp = await registerRelyingParty(stack, REDIRECT, { logo_uri: 'https://rp.example/logo.png', client_name: 'Shop <b>&</b> Co' });
  });
  after(async () => stack?.stop());

  it('sets the security headers on every answer: pages, errors, the stylesheet', async () => {
    const agent = new Agent();
    const { page: login } = await start(agent, rp, 'openid');
    const answers = [
      login,
      await agent.get(`${stack.appUrl}/`),
      await agent.get(`${stack.appUrl}/login`),
      await agent.get(`${stack.appUrl}/login?login_challenge=unknown`),
      await agent.get(`${stack.appUrl}/nothing-here`),
      await agent.get(`${stack.appUrl}/static/style.css`),
      await agent.post(login.url, [['csrf', 'forged']]),
    ];
    expect(answers.map((a) => a.status)).to.deep.equal([200, 200, 400, 404, 404, 200, 403]);
    for (const answer of answers) {
      expectSecurityHeaders(answer.headers, `${answer.status} ${answer.url}`);
      expect(answer.body, answer.url).not.to.match(/<script/i);
    }
  });

  it('shows the client (escaped) and prefills login_hint; the page has labels and a lang', async () => {
    const { page } = await start(new Agent(), rp, 'openid', { login_hint: 'hint@example.com' });
    expect(page.status).to.equal(200);
    expect(page.body).to.include('<html lang="en">');
    expect(page.body).to.include('Shop &lt;b&gt;&amp;&lt;/b&gt; Co').and.not.include('<b>&</b>');
    expect(page.body).to.include('src="https://rp.example/logo.png"');
    expect(page.body).to.include('value="hint@example.com"');
    expect(page.body).to.include('<label for="email">').and.include('<label for="password">').and.include('<label for="remember">');
  });

  it('answers a good sign-in with 303 to Tessera; the flow ends in tokens carrying the user\'s claims', async () => {
    const agent = new Agent();
    const { page: login } = await start(agent, rp, 'openid email profile');
    const posted = await submitLogin(agent, login);
    expect(posted.status).to.equal(303);
    expect(posted.location).to.match(new RegExp(`^${stack.tessera.publicUrl}/oauth2/auth\\?.*login_verifier=`));

    const { auth, callback } = await signInAndAllow(new Agent(), stack, rp, 'openid email profile offline_access');
    const { tokens, claims } = await redeem(rp, callback, auth);
    expect(claims).to.include({ sub: stack.alice.id, email: ALICE.email, email_verified: true, name: ALICE.name, preferred_username: ALICE.username });
    expect(claims['amr']).to.deep.equal(['pwd']);
    expect(tokens.access_token).to.match(/^ory_at_/);
    expect(tokens.refresh_token).to.match(/^ory_rt_/);
  });

  it('says the same thing for a wrong password and for an unknown e-mail, and shows the form again', async () => {
    const agent = new Agent();
    const { page: login } = await start(agent, rp, 'openid');
    const wrong = await submitLogin(agent, login, { password: 'not it' });
    const unknown = await submitLogin(agent, wrong, { email: 'nobody@example.com' });
    for (const page of [wrong, unknown]) {
      expect(page.status).to.equal(200);
      expect(page.location).to.equal(undefined);
      expect(page.body).to.include('role="alert"').and.include('The email address or password is incorrect.');
      expect(page.body).to.include('aria-invalid="true"');
    }
    expect(wrong.body).to.include(`value="${ALICE.email}"`);
    expect(wrong.body).not.to.include('not it');
    // The form still works after the mistakes.
    const good = await submitLogin(agent, unknown);
    expect(good.status).to.equal(303);
  });

  it('refuses a POST whose CSRF token is missing, forged, from another flow, or without its cookie', async () => {
    const agent = new Agent();
    const { page: login } = await start(agent, rp, 'openid');
    const { page: other } = await start(agent, rp, 'openid');
    const otherToken = /name="csrf" value="([^"]+)"/.exec(other.body)?.[1] ?? '';
    for (const csrf of ['', 'forged', otherToken]) {
      const res = await submitLogin(agent, login, { csrf });
      expect(res.status, `csrf=${csrf}`).to.equal(403);
      expect(res.body).to.include('This form has expired');
    }
    const stranger = new Agent(); // a cross-site POST: no SameSite=Lax cookie comes along
    expect((await submitLogin(stranger, login)).status).to.equal(403);
    // Nothing was accepted: the real form still signs in.
    expect((await submitLogin(agent, login)).status).to.equal(303);
  });

  it('cancel rejects the login: the client gets access_denied', async () => {
    const agent = new Agent();
    const { page: login } = await start(agent, rp, 'openid');
    const cancelled = await submitLogin(agent, login, { action: 'cancel', email: '', password: '' });
    expect(cancelled.status).to.equal(303);
    const back = await agent.follow(cancelled, atCallback(rp));
    const callback = new URL(back.location ?? '');
    expect(callback.searchParams.get('error')).to.equal('access_denied');
  });

  it('restarts the flow when a used challenge comes back (back button), and explains an unknown one', async () => {
    const agent = new Agent();
    const { page: login } = await start(agent, rp, 'openid');
    const consent = await agent.follow(await submitLogin(agent, login), atCallback(rp));
    expect(consent.url).to.include('/consent?');
    const again = await agent.get(login.url);
    expect(again.status).to.equal(302);
    expect(again.location).to.match(new RegExp(`^${stack.tessera.publicUrl}/oauth2/auth\\?`));
    const unknown = await agent.get(`${stack.appUrl}/consent?consent_challenge=made-up`);
    expect(unknown.status).to.equal(404);
    expect(unknown.body).to.include('This link has expired');
  });

  it('refuses forms that are not forms, or too large', async () => {
    const agent = new Agent();
    const { page: login } = await start(agent, rp, 'openid');
    const json = await agent.request(login.url, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(json.status).to.equal(415);
    const huge = await agent.post(login.url, [['csrf', 'x'.repeat(20_000)]]);
    expect(huge.status).to.equal(413);
  });

  it('reads forms with koa-bodyparser under form rules: no repeats, no nesting, text only, nothing compressed', async () => {
    const agent = new Agent();
    const { page: login } = await start(agent, rp, 'openid');
    const csrf = /name="csrf" value="([^"]+)"/.exec(login.body)?.[1] ?? '';
    const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }) =>
      agent.request(login.url, { method: 'POST', body, headers });
    const refused: Array<[string, Awaited<ReturnType<typeof post>>, number]> = [
      ['a repeated field', await post(`csrf=${csrf}&email=a&email=b&password=x`), 400],
      ['an encoded NUL', await post(`csrf=${csrf}&email=a%00b&password=x`), 400],
      ['a byte that is not UTF-8', await post(`csrf=${csrf}&email=%FF&password=x`), 400],
      ['a gzip body', await post('csrf=x', { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip' }), 415],
      ['text/plain', await post('csrf=x', { 'content-type': 'text/plain' }), 415],
    ];
    for (const [what, page, status] of refused) {
      expect(page.status, what).to.equal(status);
      expect(page.body, what).to.include('Bad request').and.not.match(/\bat \S+ \(|node:/);
    }
    // Bracket syntax and prototype names are plain field names: the form is read as if they were not there.
    const wrong = await post(`csrf=${csrf}&email[x]=${encodeURIComponent(ALICE.email)}&__proto__=x&constructor=y&email=nobody%40example.com&password=wrong`);
    expect(wrong.status).to.equal(200);
    expect(wrong.body).to.include('nobody@example.com');
    expect(stack.logged.filter((line) => line.startsWith('error'))).to.deep.equal([]);
  });
});
