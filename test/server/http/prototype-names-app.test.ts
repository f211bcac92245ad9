import { expect } from 'chai';
import { TesseraAdmin } from '@tessera/sdk';
import { startApp } from '../../../login-consent-app/src/server.js';
import { describeEachBackend, type Database } from '../../helpers/databases.js';
import { freePort } from '../../helpers/ports.js';
import { startTessera } from '../../helpers/tessera.js';
import { Agent } from '../../login-consent-app/agent.js';
import { atCallback, start, submitConsent, submitLogin } from '../../login-consent-app/flow.js';
import { ALICE, csrfOf, redeem, registerRelyingParty, type RelyingParty, type Stack } from '../../login-consent-app/support.js';
import { expectPristinePrototype, NAMES, prototypeSnapshot } from './prototype-names-support.js';

/*
 * Issue 12, class 2, in the reference login-consent app: every
 * Object.prototype member name as a challenge, as a form field's value, as
 * a form field's name, and as a scope the consent page describes. Tessera and
 * the app each on their own database of the backend under test.
 */

const REDIRECT = 'http://127.0.0.1:9/callback';
const LOOSE = { account: { limit: 1000, windowMs: 60_000, lockMs: 60_000 }, ip: { limit: 1000, windowMs: 60_000, lockMs: 60_000 } };

describeEachBackend('prototype names in the login-consent app', (backend) => {
  const snapshot = prototypeSnapshot();
  const dbs: Database[] = [];
  let stack: Stack;
  let rp: RelyingParty;

  before(async () => {
    const [tesseraDb, appDb] = [await backend.create(), await backend.create()];
    dbs.push(tesseraDb, appDb);
    const appUrl = `http://127.0.0.1:${await freePort()}`;
    const tessera = await startTessera(tesseraDb, { urls: { login: `${appUrl}/login`, consent: `${appUrl}/consent`, logout: `${appUrl}/logout` } });
    const logged: string[] = [];
    const config = { port: Number(new URL(appUrl).port), host: '127.0.0.1', dev: false, adminUrl: tessera.adminUrl, publicUrl: tessera.publicUrl, appUrl };
    const app = await startApp({ ...config, dsn: appDb.dsn, cookieSecret: 'c'.repeat(48), trustProxy: false, throttle: LOOSE }, (level, message) => logged.push(`${level} ${message}`));
    const alice = await app.users.add({ ...ALICE, emailVerified: true });
    const admin = new TesseraAdmin({ baseUrl: tessera.adminUrl });
    stack = { tessera, app, appUrl, admin, alice, logged, stop: async () => Promise.all([app.close(), tessera.stop()]).then(() => undefined) };
    rp = await registerRelyingParty(stack, REDIRECT, { scope: `openid email ${NAMES.join(' ')}` });
  });
  after(async () => {
    await stack?.stop();
    for (const db of dbs) await db.drop();
    expectPristinePrototype(snapshot);
  });

  it('challenges named after prototype members: a 4xx page, no admin call succeeds and nothing fails', async () => {
    for (const name of NAMES) {
      for (const page of ['login', 'consent', 'logout']) {
        const res = await new Agent().get(`${stack.appUrl}/${page}?${page}_challenge=${name}`);
        expect(res.status, `${page} ${name}`).to.equal(404);
        const posted = await new Agent().post(`${stack.appUrl}/${page}?${page}_challenge=${name}`, [['csrf', name], ['action', name]]);
        expect(posted.status, `POST ${page} ${name}`).to.equal(403);
      }
    }
    expect(stack.logged.filter((l) => l.startsWith('error'))).to.deep.equal([]);
  });

  it('login form: names as email, password and csrf are refused; as action, remember and field names they are ignored', async () => {
    for (const name of NAMES) {
      const agent = new Agent();
      const { page: login } = await start(agent, rp, 'openid');
      const wrong = await submitLogin(agent, login, { email: name, password: name });
      expect([wrong.status, wrong.body.includes('incorrect')], name).to.deep.equal([200, true]);
      expect((await submitLogin(agent, wrong, { csrf: name })).status, name).to.equal(403);
      const fields: Array<[string, string]> = [['csrf', csrfOf(wrong.body)], ['email', ALICE.email], ['password', ALICE.password], ['action', name], ['remember', name], [name, name]];
      const signedIn = await agent.post(wrong.url, fields);
      expect(signedIn.status, `${name}: ${signedIn.body}`).to.equal(303);
      expect((await agent.follow(signedIn, atCallback(rp))).url, name).to.match(new RegExp(`^${stack.appUrl}/consent\\?`));
    }
  });

  it('consent page: scopes named after prototype members are shown by name; action and grant_scope values are checked, not looked up', async () => {
    const agent = new Agent();
    const scope = `openid ${NAMES.join(' ')}`;
    const { auth, page: login } = await start(agent, rp, scope);
    const consent = await agent.follow(await submitLogin(agent, login), atCallback(rp));
    expect(consent.status, consent.body).to.equal(200);
    for (const name of NAMES) {
      expect(consent.body, name).to.include(`name="grant_scope" value="${name}" checked`);
      // Shown by name, as a scope nobody described (issue 19), not as an inherited member's text.
      expect(consent.body, name).to.match(new RegExp(`<strong>${name}</strong>[\\s\\S]*?has not described[\\s\\S]*?<code>${name}</code>`));
      const again = await agent.post(consent.url, [['csrf', csrfOf(consent.body)], ['action', name], ['grant_scope', name]]);
      expect(again.status, name).to.equal(200);
      expect(again.body, name).to.include('wants to access your account');
    }
    const done = await agent.follow(await submitConsent(agent, consent, { scopes: [...NAMES, 'not-requested'] }), atCallback(rp));
    const { tokens } = await redeem(rp, done.location ?? '', auth);
    expect(String(tokens.scope).split(' ').sort()).to.deep.equal(scope.split(' ').sort());
  });
});
