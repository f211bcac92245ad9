import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadAppConfig } from '../../login-consent-app/src/config.js';
import { parseScopeTexts } from '../../login-consent-app/src/oidc/scope-texts.js';
import { relative } from '../../login-consent-app/src/views/time.js';
import { Agent } from './agent.js';
import { atCallback, start, submitLogin } from './flow.js';
import { registerRelyingParty, startStack, type RelyingParty, type Stack } from './support.js';

/*
 * Issue 19, item 8: what the consent page tells the user about who asks —
 * a "third-party" mark unless the operator lists the client as its own, the
 * host the answer goes to, operator texts for custom scopes — over HTTP; the
 * logo fallback is in consent-polish.browser.test.ts.
 */

const REDIRECT = 'https://prints.example/callback';

describe('login-consent-app: consent page provenance and scope texts', () => {
  let stack: Stack;
  let thirdParty: RelyingParty;
  let own: RelyingParty;

  before(async () => {
    stack = await startStack({
      consent: {
        scopeTexts: parseScopeTexts(JSON.stringify({ 'prints:order': { title: 'Order prints', description: 'Send photos to the print shop and pay with your saved card.' }, profile: { title: 'Your public profile', description: 'Your name and username.' } })),
        firstPartyClients: new Set(['own-app']),
      },
    });
    const scope = 'openid offline_access email profile prints:order prints:admin';
    thirdParty = await registerRelyingParty(stack, REDIRECT, { client_name: 'Photo Printer', scope });
    own = await registerRelyingParty(stack, 'http://127.0.0.1:9/own', { client_id: 'own-app', client_name: 'Our own app', scope });
  });
  after(async () => stack?.stop());

  async function consentBody(rp: RelyingParty, scope: string): Promise<string> {
    const agent = new Agent();
    const { page } = await start(agent, rp, scope);
    const consent = await agent.follow(await submitLogin(agent, page), atCallback(rp));
    expect(consent.url).to.include('/consent?');
    return consent.body;
  }

  it('marks a client the operator does not list as third-party, and names the host the answer goes to', async () => {
    const body = await consentBody(thirdParty, 'openid');
    expect(body).to.match(/<p class="third-party" id="third-party"><span class="badge">Third-party app<\/span>/);
    expect(body).to.match(/id="redirect-host">After you answer you will be sent to <strong>prints\.example<\/strong>/);
    const ours = await consentBody(own, 'openid');
    expect(ours).not.to.include('Third-party app');
    expect(ours).to.include('sent to <strong>127.0.0.1:9</strong>');
  });

  it('describes custom scopes with the operator texts, and says plainly when nobody did', async () => {
    const body = await consentBody(thirdParty, 'openid profile prints:order prints:admin');
    expect(body).to.include('<strong>Order prints</strong>').and.include('Send photos to the print shop and pay with your saved card.');
    // The operator's text wins over the built-in one.
    expect(body).to.include('<strong>Your public profile</strong>');
    expect(body).to.match(/<strong>prints:admin<\/strong>[\s\S]*?has not described/);
    expect(body).not.to.include('Access granted under');
  });

  it('reads SCOPE_DESCRIPTIONS_FILE and FIRST_PARTY_CLIENT_IDS, and refuses a bad file naming the scope', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scope-texts-'));
    try {
      const file = join(dir, 'scopes.json');
      const env = { SCOPE_DESCRIPTIONS_FILE: file, FIRST_PARTY_CLIENT_IDS: 'a, b,', COOKIE_SECRET: 'x'.repeat(32) };
      writeFileSync(file, JSON.stringify({ 'billing:read': { title: 'Read invoices', description: 'See your invoices.' } }));
      const config = loadAppConfig(env, { dev: false });
      expect(config.consent?.scopeTexts.get('billing:read')).to.deep.equal({ title: 'Read invoices', description: 'See your invoices.' });
      expect([...(config.consent?.firstPartyClients ?? [])]).to.deep.equal(['a', 'b']);
      const bad: Array<[unknown, RegExp]> = [
        [{ 'billing:read': { title: 'x' } }, /"billing:read": "description" must be text/],
        [{ 'billing:read': { title: 'x', description: 'y', icon: 'z' } }, /unknown field "icon"/],
        [{ 'bad scope': { title: 'x', description: 'y' } }, /"bad scope" is not a scope/],
        [['x'], /must be a JSON object keyed by scope/],
      ];
      for (const [content, message] of bad) {
        writeFileSync(file, JSON.stringify(content));
        expect(() => loadAppConfig(env, { dev: false })).to.throw(ConfigError, message);
      }
      expect(() => loadAppConfig({ ...env, SCOPE_DESCRIPTIONS_FILE: join(dir, 'absent.json') }, { dev: false })).to.throw(ConfigError, /absent\.json: cannot read it \(ENOENT\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says how far a time is from now in words', () => {
    const now = Date.UTC(2026, 11, 2, 12, 0, 0);
    expect(relative(now + 59 * 60_000, now)).to.equal('in 59 minutes');
    expect(relative(now - 3 * 3_600_000, now)).to.equal('3 hours ago');
    expect(relative(now + 2 * 86_400_000, now)).to.equal('in 2 days');
    expect(relative(now, now)).to.equal('now');
  });
});
