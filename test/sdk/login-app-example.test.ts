import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { TesseraAdmin, type OAuth2Client } from '@tessera/sdk';
import { describeEachBackend, type Database } from '../helpers/databases.js';
import { startTessera, type Running } from '../helpers/tessera.js';
import { freePort } from '../helpers/ports.js';
import { Browser } from '../helpers/browser.js';
import { authorizeUrl, exchangeCode, jwtClaims, REDIRECT } from './support.js';
import { loginApp } from './login-app-example.js';

const EXAMPLE = new URL('./login-app-example.ts', import.meta.url);
const README = new URL('../../sdk/README.md', import.meta.url);

/** A form POST to the login app, as the browser sends it; redirects are not followed. */
async function post(url: string, fields: Record<string, string>) {
  const res = await fetch(url, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location') ?? '', body: await res.text() };
}

describe('sdk: README login-app example', () => {
  it('is the code block of sdk/README.md, verbatim', () => {
    const readme = readFileSync(README, 'utf8');
    const block = /<!-- example: test\/sdk\/login-app-example\.ts -->\s*```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, 'the example block in sdk/README.md').to.equal(readFileSync(EXAMPLE, 'utf8'));
  });
});

describeEachBackend('sdk: README login-app example runs a flow', (backend) => {
  let db: Database;
  let t: Running;
  let app: Server;
  let client: OAuth2Client;
  let appUrl: string;

  /** Browser steps through Tessera and the example app until the client's redirect_uri. */
  const until = async (browser: Browser, start: string, stop: (url: string) => boolean): Promise<{ url: string; body: string }> => {
    let url = start;
    for (let hops = 0; hops < 10; hops++) {
      const res = await browser.get(url);
      if (res.status !== 302 || !res.location) return { url, body: res.body };
      url = new URL(res.location, url).href;
      if (stop(url)) return { url, body: '' };
    }
    throw new Error('too many redirects');
  };
  const atCallback = (url: string) => url.startsWith(REDIRECT);
  const SIGNED_OUT = 'http://127.0.0.1:9999/signed-out';

  before(async () => {
    db = await backend.create();
    const port = await freePort();
    appUrl = `http://127.0.0.1:${port}`;
    t = await startTessera(db, { urls: { login: `${appUrl}/login`, consent: `${appUrl}/consent`, logout: `${appUrl}/logout` } });
    const admin = new TesseraAdmin({ baseUrl: t.adminUrl });
    app = loginApp(admin).listen(port, '127.0.0.1');
    client = await admin.createClient({
      client_name: 'Example RP',
      redirect_uris: [REDIRECT],
      post_logout_redirect_uris: [SIGNED_OUT],
      scope: 'openid email offline_access',
    });
  });
  after(async () => {
    app?.closeAllConnections();
    await new Promise((resolve) => (app ? app.close(resolve) : resolve(undefined)));
    await t?.stop();
    await db?.drop();
  });

  it('signs in, consents, then skips both pages in the same browser', async () => {
    const browser = new Browser();
    const login = await until(browser, authorizeUrl(t, client, 'openid email'), atCallback);
    expect(login.url).to.match(/\/login\?login_challenge=/);
    expect(login.body).to.contain('Sign in to Example RP');
    expect((await post(login.url, { username: 'alice', password: 'wrong' })).body).to.contain('Wrong username or password.');

    const signedIn = await post(login.url, { username: 'alice', password: 'wonderland', remember: 'on' });
    expect(signedIn.status).to.equal(302);
    const consent = await until(browser, signedIn.location, atCallback);
    expect(consent.url).to.match(/\/consent\?consent_challenge=/);
    expect(consent.body).to.contain('asks for: openid, email');

    const allowed = await post(consent.url, { allow: 'yes', remember: 'on' });
    const callback = await until(browser, allowed.location, atCallback);
    const tokens = await exchangeCode(t, client, new URL(callback.url));
    expect(jwtClaims(tokens.id_token)).to.include({ sub: 'alice', email: 'alice@example.com' });

    // Remembered login and consent: no page at all, and the claims come from `claims`.
    const again = await until(browser, authorizeUrl(t, client, 'openid email'), atCallback);
    expect(again.url.startsWith(REDIRECT), again.body).to.equal(true);
    expect(jwtClaims((await exchangeCode(t, client, new URL(again.url))).id_token)).to.include({ sub: 'alice', email: 'alice@example.com' });

    // A used challenge (the back button) restarts the flow instead of failing.
    const back = await browser.get(login.url);
    expect(back.status).to.equal(302);
    expect(back.location).to.contain(`${t.publicUrl}/oauth2/auth?`);
  });

  it('asks again with prompt=consent; denying gives the client access_denied', async () => {
    const browser = new Browser();
    const login = await until(browser, authorizeUrl(t, client, 'openid', { prompt: 'consent' }), atCallback);
    const signedIn = await post(login.url, { username: 'alice', password: 'wonderland' });
    const consent = await until(browser, signedIn.location, atCallback);
    expect(consent.body).to.contain('asks for: openid');
    const denied = await post(consent.url, { allow: 'no' });
    const callback = await until(browser, denied.location, atCallback);
    expect(new URL(callback.url).searchParams.get('error')).to.equal('access_denied');
  });

  it('asks before signing out: "stay" keeps the session, "sign out" ends it and returns to the client', async () => {
    const browser = new Browser();
    const login = await until(browser, authorizeUrl(t, client, 'openid'), atCallback);
    const signedIn = await post(login.url, { username: 'alice', password: 'wonderland', remember: 'on' });
    let callback = await until(browser, signedIn.location, atCallback);
    // The consent page, unless an earlier test's remembered consent covers `openid`.
    if (!atCallback(callback.url)) callback = await until(browser, (await post(callback.url, { allow: 'yes' })).location, atCallback);
    const idToken = (await exchangeCode(t, client, new URL(callback.url))).id_token ?? '';
    const logoutUrl = `${t.publicUrl}/oauth2/sessions/logout?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT, state: 'bye-1234' })}`;
    const skipsLogin = async () => (await until(browser, authorizeUrl(t, client, 'openid'), atCallback)).url.startsWith(REDIRECT);

    const asked = await until(browser, logoutUrl, () => false);
    expect(asked.url).to.match(/\/logout\?logout_challenge=/);
    expect(asked.body).to.contain('Sign out, as Example RP asks?');
    expect((await post(asked.url, { logout: 'no' })).body).to.equal('You are still signed in.');
    expect(await skipsLogin()).to.equal(true);

    const again = await until(browser, logoutUrl, () => false);
    const confirmed = await post(again.url, { logout: 'yes' });
    expect(confirmed.status).to.equal(302);
    const done = await until(browser, confirmed.location, (url) => url.startsWith(SIGNED_OUT));
    expect(done.url).to.equal(`${SIGNED_OUT}?state=bye-1234`);
    expect(await skipsLogin()).to.equal(false);
  });
});
