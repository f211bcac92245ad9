import { expect } from 'chai';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera } from '../helpers/tessera.js';
import { request } from '../helpers/http.js';
import { basic, createClient, form, type CreatedClient } from '../helpers/clients.js';
import { Browser } from '../helpers/browser.js';
import { FLOW_URLS } from '../helpers/flow.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { REDIRECT, adminApi, authorization, claims, completeFlow, exchange, redirectTo, toCode, toConsent, toLogin, uid } from './login-consent-support.js';

/*
 * Every token family belongs to a consent record, so every way of taking a
 * grant back reaches it: consent revocation (subject+client, subject+all,
 * consent_request_id), logout (RP-initiated, and the admin API by sid or
 * subject, front- and back-channel), and client deletion. Tried on the flows
 * that skip the consent app: a remembered consent, a skipped (remembered)
 * login, and clients with skip_consent.
 */

const LOGOUT_URL = 'http://login.test/logout';

interface Grant {
  readonly access: string;
  readonly refresh: string;
  readonly idToken: string;
  readonly sid: string;
  readonly consentRequestId: string;
  readonly loginSkipped: boolean;
  readonly consentSkipped: boolean;
}

describeEachBackend('revocation and logout reach every grant', (backend) => {
  const h = useTessera(backend, {
    urls: { ...FLOW_URLS.urls, logout: LOGOUT_URL },
    // The back-channel receiver listens on 127.0.0.1 (class 9 refuses that by default).
    oauth2: { backchannel_logout: { allow_private_networks: true } },
  });
  let receiver: Receiver;
  let rp: CreatedClient;
  let trusted: CreatedClient;

  const registered = (name: string, extra: Record<string, unknown>) =>
    createClient(h.t.adminUrl, {
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid offline_access',
      frontchannel_logout_uri: `https://${name}.example.com/frontchannel`,
      frontchannel_logout_session_required: true,
      backchannel_logout_uri: receiver.url,
      ...extra,
    });

  before(async () => {
    receiver = await startReceiver();
    rp = await registered('rp', {});
    trusted = await registered('trusted', { skip_consent: true });
  });
  after(async () => {
    await receiver?.close();
  });

  /** One whole flow in `browser` for `subject`, remembering the login (and the consent when asked), and its tokens. */
  async function grant(browser: Browser, client: CreatedClient, subject: string, rememberConsent = false): Promise<Grant> {
    const flow = await completeFlow(h.t, browser, client.client_id, { login: { subject, remember: true }, consent: { remember: rememberConsent } });
    const tokens = await exchange(h.t, client, flow.code, flow.authz.verifier);
    expect(tokens.status, tokens.text).to.equal(200);
    return {
      access: tokens.body.access_token,
      refresh: tokens.body.refresh_token ?? '',
      idToken: tokens.body.id_token ?? '',
      sid: String(claims(tokens.body.id_token)['sid']),
      consentRequestId: flow.consent.consent_request_id,
      loginSkipped: flow.login.skip,
      consentSkipped: flow.consent.skip,
    };
  }

  const active = async (token: string) =>
    (await request<{ active: boolean }>(h.t.adminUrl, 'POST', '/admin/oauth2/introspect', form({ token }))).body.active;

  async function refresh(g: Grant, client: CreatedClient) {
    const f = form({ grant_type: 'refresh_token', refresh_token: g.refresh });
    return request<{ error?: string }>(h.t.publicUrl, 'POST', '/oauth2/token', { body: f.body, headers: { ...f.headers, authorization: basic(client.client_id, client.client_secret) } });
  }

  async function expectAlive(g: Grant, label: string) {
    expect(await active(g.access), `${label}: access token active`).to.equal(true);
    expect(await active(g.refresh), `${label}: refresh token active`).to.equal(true);
  }

  /** Introspection says inactive, and the refresh token no longer works. */
  async function expectDead(g: Grant, client: CreatedClient, label: string) {
    expect(await active(g.access), `${label}: access token active`).to.equal(false);
    expect(await active(g.refresh), `${label}: refresh token active`).to.equal(false);
    const res = await refresh(g, client);
    expect(res.status, `${label}: refresh → ${res.text}`).to.equal(400);
    expect(res.body.error).to.equal('invalid_grant');
  }

  const revokeConsent = async (query: string) => expect((await request(h.t.adminUrl, 'DELETE', `/admin/oauth2/auth/sessions/consent?${query}`)).status).to.equal(204);
  const listConsent = async (subject: string) =>
    (await request<Array<{ consent_request_id: string; consent_request: { client: { client_id: string } } }>>(h.t.adminUrl, 'GET', `/admin/oauth2/auth/sessions/consent?subject=${subject}`)).body;

  /** The (client, sid) pairs of the back-channel logout tokens received since `from`. */
  function delivered(from: number): string[] {
    return receiver.bodies.slice(from).map((body) => {
      const token = claims(new URLSearchParams(body).get('logout_token') ?? '');
      return `${String(token['aud'])} ${String(token['sid'])}`;
    });
  }

  describe('consent revocation', () => {
    it('subject+client reaches a flow that re-used a remembered consent after a skipped login', async () => {
      const subject = `ann-${uid()}`;
      const browser = new Browser();
      const decided = await grant(browser, rp, subject, true);
      const reused = await grant(browser, rp, subject);
      expect([reused.loginSkipped, reused.consentSkipped]).to.deep.equal([true, true]);
      await expectAlive(reused, 'reused');

      await revokeConsent(`subject=${subject}&client=${encodeURIComponent(rp.client_id)}`);
      await expectDead(decided, rp, 'decided');
      await expectDead(reused, rp, 'reused');
    });

    it('by consent_request_id, the remembered consent takes the flows that re-used it along; the list shows the decision only (as Hydra)', async () => {
      const subject = `bea-${uid()}`;
      const first = new Browser();
      const decided = await grant(first, rp, subject, true);
      // A fresh login elsewhere and a skipped one here: both re-use the remembered consent.
      const elsewhere = await grant(new Browser(), rp, subject);
      const here = await grant(first, rp, subject);
      expect([elsewhere.loginSkipped, elsewhere.consentSkipped, here.loginSkipped, here.consentSkipped]).to.deep.equal([false, true, true, true]);
      expect((await listConsent(subject)).map((s) => s.consent_request_id)).to.deep.equal([decided.consentRequestId]);

      await revokeConsent(`consent_request_id=${decided.consentRequestId}`);
      await expectDead(decided, rp, 'decided');
      await expectDead(elsewhere, rp, 'elsewhere');
      await expectDead(here, rp, 'here');
      expect(await listConsent(subject)).to.deep.equal([]);
    });

    it('a skip_consent client: listed, revocable by its consent_request_id, by subject+client and by subject+all', async () => {
      const subject = `cai-${uid()}`;
      const browser = new Browser();
      const one = await grant(browser, trusted, subject);
      const two = await grant(browser, trusted, subject);
      const three = await grant(browser, trusted, subject);
      expect([one.consentSkipped, two.loginSkipped, two.consentSkipped]).to.deep.equal([true, true, true]);
      expect((await listConsent(subject)).map((s) => s.consent_request_id)).to.have.members([one.consentRequestId, two.consentRequestId, three.consentRequestId]);

      await revokeConsent(`consent_request_id=${one.consentRequestId}`);
      await expectDead(one, trusted, 'one');
      await expectAlive(two, 'two');
      await revokeConsent(`subject=${subject}&client=${encodeURIComponent(trusted.client_id)}`);
      await expectDead(two, trusted, 'two');
      await expectDead(three, trusted, 'three');

      const four = await grant(browser, trusted, subject);
      const remembered = await grant(browser, rp, subject, true);
      const reused = await grant(browser, rp, subject);
      await revokeConsent(`subject=${subject}&all=true`);
      await expectDead(four, trusted, 'four');
      await expectDead(remembered, rp, 'remembered');
      await expectDead(reused, rp, 'reused');
    });

    it('a flow in flight when the consent it re-used is revoked yields no working grant', async () => {
      const subject = `dan-${uid()}`;
      const browser = new Browser();
      await grant(browser, rp, subject, true);
      const api = adminApi(h.t);
      const authz = authorization(h.t, rp.client_id);
      const consentChallenge = await toConsent(browser, redirectTo(await api.acceptLogin(await toLogin(browser, authz.url), { subject })));
      const consent = await api.getConsent(consentChallenge);
      expect(consent.body.skip).to.equal(true);
      const back = redirectTo(await api.acceptConsent(consentChallenge, { grant_scope: consent.body.requested_scope }));

      // Revoked after the skip was decided, before the browser comes back with the verifier.
      await revokeConsent(`subject=${subject}&client=${encodeURIComponent(rp.client_id)}`);
      const code = await toCode(browser, back);
      const tokens = await exchange(h.t, rp, code, authz.verifier);
      expect(tokens.status, tokens.text).to.equal(400);
      expect((tokens.body as unknown as { error: string }).error).to.equal('invalid_grant');
    });

    it('deleting a client revokes the grants of its skipped flows', async () => {
      const subject = `dot-${uid()}`;
      const doomed = await registered('doomed', { skip_consent: true });
      const browser = new Browser();
      const first = await grant(browser, doomed, subject);
      const second = await grant(browser, doomed, subject);
      expect((await request(h.t.adminUrl, 'DELETE', `/admin/clients/${doomed.client_id}`)).status).to.equal(204);
      for (const g of [first, second]) {
        expect(await active(g.access)).to.equal(false);
        expect(await active(g.refresh)).to.equal(false);
      }
      expect(await listConsent(subject)).to.deep.equal([]);
    });
  });

  describe('logout', () => {
    /**
     * A new login session for `subject` (fresh login, remembered) in which rp
     * re-uses a consent remembered in an earlier session and trusted skips
     * consent after a skipped login: neither flow asked the consent app.
     */
    async function sessionOfSkippedFlows(subject: string): Promise<{ browser: Browser; sid: string; hint: string }> {
      await grant(new Browser(), rp, subject, true);
      const browser = new Browser();
      const viaRp = await grant(browser, rp, subject);
      const viaTrusted = await grant(browser, trusted, subject);
      expect([viaRp.loginSkipped, viaRp.consentSkipped, viaTrusted.loginSkipped, viaTrusted.consentSkipped]).to.deep.equal([false, true, true, true]);
      expect(viaTrusted.sid).to.equal(viaRp.sid);
      return { browser, sid: viaRp.sid, hint: viaRp.idToken };
    }

    it('RP-initiated logout renders front-channel frames and sends back-channel logout to clients whose consent was skipped', async () => {
      const { browser, sid, hint } = await sessionOfSkippedFlows(`eve-${uid()}`);
      const from = receiver.bodies.length;
      const start = await browser.get(`${h.t.publicUrl}/oauth2/sessions/logout?id_token_hint=${hint}`);
      const challenge = new URL(start.location ?? '').searchParams.get('logout_challenge') ?? '';
      const accepted = await request<{ redirect_to: string }>(h.t.adminUrl, 'PUT', `/admin/oauth2/auth/requests/logout/accept?logout_challenge=${challenge}`);
      const done = await browser.get(accepted.body.redirect_to);
      expect(done.status, done.body).to.equal(200);
      const frames = [...done.body.matchAll(/<iframe src="([^"]+)"/g)].map((m) => new URL((m[1] ?? '').replace(/&#38;/g, '&')));
      expect(frames.map((f) => `${f.host} ${f.searchParams.get('sid')}`)).to.have.members([`rp.example.com ${sid}`, `trusted.example.com ${sid}`]);
      await receiver.waitFor(from + 2);
      await h.t.tessera.notifier.drain();
      expect(delivered(from)).to.have.members([`${rp.client_id} ${sid}`, `${trusted.client_id} ${sid}`]);
    });

    it('ending the session through the admin API, by sid or by subject, tells clients whose consent was skipped', async () => {
      for (const by of ['sid', 'subject'] as const) {
        const subject = `fay-${by}-${uid()}`;
        const { sid } = await sessionOfSkippedFlows(subject);
        const from = receiver.bodies.length;
        const query = by === 'sid' ? `sid=${sid}` : `subject=${subject}`;
        expect((await request(h.t.adminUrl, 'DELETE', `/admin/oauth2/auth/sessions/login?${query}`)).status).to.equal(204);
        await h.t.tessera.notifier.drain();
        const got = delivered(from);
        expect(got, by).to.include.members([`${rp.client_id} ${sid}`, `${trusted.client_id} ${sid}`]);
      }
    });
  });
  it('a remembered consent of a skip_consent flow does not skip the consent page once the client loses skip_consent', async () => {
    // Found in review: such rows counted as remembered decisions, though the user never saw a consent page (Hydra: skip = false only).
    const client = await registered(`was-trusted-${uid()}`, { skip_consent: true });
    const browser = new Browser();
    const subject = `gus-${uid()}`;
    const first = await grant(browser, client, subject, true);
    expect(first.consentSkipped).to.equal(true);
    const updated = await request(h.t.adminUrl, 'PUT', `/admin/clients/${client.client_id}`, { json: { ...client, skip_consent: false } });
    expect(updated.status, updated.text).to.equal(200);
    const second = await grant(browser, client, subject, true);
    expect(second.consentSkipped).to.equal(false);
  });
});
