import { expect } from 'chai';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera, type Running } from '../helpers/tessera.js';
import { basic, createClient, form, type CreatedClient } from '../helpers/clients.js';
import { Browser } from '../helpers/browser.js';
import { challengeOf, FLOW_URLS } from '../helpers/flow.js';
import { request } from '../helpers/http.js';
import { connect, disconnect, type Connection } from '../../server/src/storage/knex/index.js';
import { hashSecret } from '../../server/src/flows/secrets.js';

/*
 * `null` in the login and consent answers (accept and reject bodies) is read
 * as "absent", as Hydra reads it (Go's encoding/json leaves the field at its
 * zero value). For every optional member, the flow row the server stores
 * after a body with that member `null` is byte for byte the row stored for
 * the same body without it. A wrong type is still 400 and stores nothing.
 */

const REDIRECT = 'http://127.0.0.1:9999/callback';

const LOGIN_OPTIONAL = ['remember', 'remember_for', 'extend_session_lifespan', 'acr', 'amr', 'context', 'force_subject_identifier', 'identity_provider_session_id'];
const CONSENT_OPTIONAL = ['grant_scope', 'grant_access_token_audience', 'remember', 'remember_for', 'session', 'context', 'handled_at'];
const REJECT_OPTIONAL = ['error', 'error_description', 'error_hint', 'error_debug', 'status_code'];

type Body = Record<string, unknown>;
const nulls = (names: readonly string[]): Body => Object.fromEntries(names.map((name) => [name, null]));

describeEachBackend('null is absent in login and consent answers', (backend) => {
  const harness = useTessera(backend, FLOW_URLS);
  let t: Running;
  let conn: Connection;
  let client: CreatedClient;

  before(async () => {
    t = harness.t;
    conn = connect(harness.db.dsn);
    client = await createClient(t.adminUrl, { redirect_uris: [REDIRECT], scope: 'openid offline_access', audience: ['https://api.example'] });
  });
  after(async () => {
    if (conn) await disconnect(conn);
  });

  /** The stored flow row's JSON column, as the database holds it (no domain mapping in between). */
  async function stored(column: 'login' | 'consent', by: 'login_challenge' | 'consent_challenge', challenge: string): Promise<string | null> {
    const row = await conn.knex('oauth2_flows').where(by, hashSecret(challenge)).first<Record<string, string | null> | undefined>();
    expect(row, 'the flow row').to.not.equal(undefined);
    return row?.[column] ?? null;
  }

  async function loginChallenge(browser = new Browser()): Promise<string> {
    const params = new URLSearchParams({ client_id: client.client_id, response_type: 'code', redirect_uri: REDIRECT, scope: 'openid offline_access', state: 'state-12345678', audience: 'https://api.example' });
    const start = await browser.get(`${t.publicUrl}/oauth2/auth?${params.toString()}`);
    expect(start.status, start.body).to.equal(302);
    return challengeOf(start.location, 'login_challenge');
  }

  const put = (kind: 'login' | 'consent', action: 'accept' | 'reject', challenge: string, json: Body) =>
    request<{ redirect_to?: string; error?: string; error_description?: string }>(
      t.adminUrl, 'PUT', `/admin/oauth2/auth/requests/${kind}/${action}?${kind}_challenge=${encodeURIComponent(challenge)}`, { json },
    );

  /** The login column stored after answering a fresh login request with `body`. */
  async function loginRow(action: 'accept' | 'reject', body: Body): Promise<string | null> {
    const challenge = await loginChallenge();
    const res = await put('login', action, challenge, body);
    expect(res.status, `${JSON.stringify(body)} → ${res.text}`).to.equal(200);
    return stored('login', 'login_challenge', challenge);
  }

  async function consentChallenge(): Promise<string> {
    const browser = new Browser();
    const accepted = await put('login', 'accept', await loginChallenge(browser), { subject: 'null-user' });
    const next = await browser.get(accepted.body.redirect_to ?? '');
    expect(next.status, next.body).to.equal(302);
    return challengeOf(next.location, 'consent_challenge');
  }

  async function consentRow(action: 'accept' | 'reject', body: Body): Promise<string | null> {
    const challenge = await consentChallenge();
    const res = await put('consent', action, challenge, body);
    expect(res.status, `${JSON.stringify(body)} → ${res.text}`).to.equal(200);
    return stored('consent', 'consent_challenge', challenge);
  }

  it('login accept: each optional member, and all of them, null → the row of the body without them', async () => {
    const absent = await loginRow('accept', { subject: 'null-user' });
    for (const name of LOGIN_OPTIONAL) expect(await loginRow('accept', { subject: 'null-user', [name]: null }), name).to.equal(absent);
    expect(await loginRow('accept', { subject: 'null-user', ...nulls(LOGIN_OPTIONAL) }), 'all').to.equal(absent);
  });

  it('consent accept: each member, session\'s members, and all of them, null → the row of the body without them', async () => {
    const absent = await consentRow('accept', {});
    for (const name of CONSENT_OPTIONAL) expect(await consentRow('accept', { [name]: null }), name).to.equal(absent);
    expect(await consentRow('accept', { session: { access_token: null, id_token: null } }), 'session members').to.equal(await consentRow('accept', { session: {} }));
    // What the issue saw refused, as @ory/hydra-client users send it from other languages.
    expect(await consentRow('accept', { grant_scope: null, grant_access_token_audience: null, session: null }), 'the reported body').to.equal(absent);
    expect(await consentRow('accept', nulls(CONSENT_OPTIONAL)), 'all').to.equal(absent);
  });

  it('a granted consent whose session claims were null gives tokens without ext or extra ID token claims', async () => {
    const browser = new Browser();
    const accepted = await put('login', 'accept', await loginChallenge(browser), { subject: 'null-user', acr: null, amr: null });
    const consent = challengeOf((await browser.get(accepted.body.redirect_to ?? '')).location, 'consent_challenge');
    const granted = await put('consent', 'accept', consent, { grant_scope: ['openid'], grant_access_token_audience: null, session: { access_token: null, id_token: null }, remember: null });
    expect(granted.status, granted.text).to.equal(200);
    const done = await browser.get(granted.body.redirect_to ?? '');
    const code = new URL(done.location ?? '').searchParams.get('code') ?? '';
    expect(code, done.location).to.match(/^ory_ac_/);
    const f = form({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    const tokens = await request<{ access_token: string }>(t.publicUrl, 'POST', '/oauth2/token', {
      body: f.body, headers: { ...f.headers, authorization: basic(client.client_id, client.client_secret) },
    });
    expect(tokens.status, tokens.text).to.equal(200);
    const info = await request<Body>(t.adminUrl, 'POST', '/admin/oauth2/introspect', form({ token: tokens.body.access_token }));
    expect(info.body).to.include({ active: true, sub: 'null-user', scope: 'openid' });
    expect(info.body).not.to.have.property('ext');
    expect(info.body['aud']).to.deep.equal([]);
  });

  it('reject bodies: each member, and all of them, null → the row of an empty rejection', async () => {
    for (const kind of ['login', 'consent'] as const) {
      const row = kind === 'login' ? loginRow : consentRow;
      const absent = await row('reject', {});
      for (const name of REJECT_OPTIONAL) expect(await row('reject', { [name]: null }), `${kind} ${name}`).to.equal(absent);
      expect(await row('reject', nulls(REJECT_OPTIONAL)), `${kind} all`).to.equal(absent);
    }
  });

  const wrongLogin: Body[] = [
    { subject: null }, { subject: 5 }, { subject: 'u', remember: 'yes' }, { subject: 'u', remember_for: '60' }, { subject: 'u', extend_session_lifespan: 1 },
    { subject: 'u', acr: 5 }, { subject: 'u', amr: 'pwd' }, { subject: 'u', amr: [null] }, { subject: 'u', force_subject_identifier: [] },
    { subject: 'u', identity_provider_session_id: {} },
  ];
  const wrongConsent: Body[] = [
    { grant_scope: 'openid' }, { grant_scope: [null] }, { grant_access_token_audience: 'https://api.example' }, { remember: 'true' },
    { remember_for: false }, { session: 'claims' }, { session: { access_token: ['a'] } }, { session: { id_token: 'x' } }, { handled_at: 5 },
  ];
  const wrongReject: Body[] = [{ error: 5 }, { error_description: [] }, { error_hint: {} }, { error_debug: true }, { status_code: '403' }];

  it('still refuses a wrong type with 400 invalid_request naming the member, and stores nothing', async () => {
    const cases: Array<['login' | 'consent', 'accept' | 'reject', Body]> = [
      ...wrongLogin.map((b) => ['login', 'accept', b] as ['login', 'accept', Body]),
      ...wrongConsent.map((b) => ['consent', 'accept', b] as ['consent', 'accept', Body]),
      ...wrongReject.flatMap((b) => [['login', 'reject', b], ['consent', 'reject', b]] as Array<['login' | 'consent', 'reject', Body]>),
    ];
    for (const [kind, action, body] of cases) {
      const challenge = kind === 'login' ? await loginChallenge() : await consentChallenge();
      const before = await stored(kind, `${kind}_challenge`, challenge);
      const res = await put(kind, action, challenge, body);
      const what = `${kind} ${action} ${JSON.stringify(body)}`;
      expect(res.status, `${what} → ${res.text}`).to.equal(400);
      expect(res.body.error, what).to.equal('invalid_request');
      expect(res.body.error_description, what).to.contain(Object.keys(body).at(-1));
      expect(await stored(kind, `${kind}_challenge`, challenge), what).to.equal(before);
    }
  });
});
