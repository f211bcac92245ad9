import { expect } from 'chai';
import { handleConsent, handleLogin, TesseraAdmin, type OAuth2Client } from '@tessera/sdk';
import { openApiDocument, operations, type Api, type JsonSchema, type Operation } from '@tessera/sdk/openapi';
import { describeEachBackend, type Database } from '../helpers/databases.js';
import { startTessera, type Running } from '../helpers/tessera.js';
import { Browser } from '../helpers/browser.js';
import { basic } from '../helpers/clients.js';
import { challengeOf, CONSENT_URL, LOGIN_URL } from '../helpers/flow.js';
import { documentedRoutes, documentValidator, registeredRoutes } from './openapi-support.js';
import { authorizeUrl, exchangeCode, REDIRECT } from './support.js';
import { generateKeyPairSync, sign } from 'node:crypto';

const LOGOUT_URL = 'http://login.test/logout';
const DEVICE_URL = 'http://login.test/device';
const SET = 'openapi-sweep';
const DOOMED_SET = 'openapi-sweep-doomed';
const SUBJECT = 'openapi-user';

/** What the sweep sends for one operation; anything left out is not sent. */
interface Call {
  readonly params?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly json?: unknown;
  readonly form?: Record<string, string>;
  readonly headers?: Record<string, string>;
}

/** The signed public leak endpoint's sender key (issue 18). */
const LEAK_KEYS = generateKeyPairSync('ec', { namedCurve: 'P-256' });

describeEachBackend('sdk: the OpenAPI document against a started server', (backend) => {
  let db: Database;
  let t: Running;
  let admin: TesseraAdmin;
  let rp: OAuth2Client;
  let spare: OAuth2Client;
  let victim: OAuth2Client;
  let accessToken: string;
  const pending = { login: '', consent: '', logout: '', device: '', userCode: '' };
  /** Dynamically registered clients (one read and replaced, one deleted) and trust relationships (one read, one deleted). */
  const registered = { kept: { id: '', token: '' }, doomed: { id: '', token: '' } };
  const trusted = { kept: '', doomed: '' };
  const trustBody = (issuer: string) => ({
    issuer,
    subject: 'openapi-user',
    scope: ['openid'],
    jwk: { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'trusted', alg: 'EdDSA', use: 'sig' },
    expires_at: '2999-01-01T00:00:00Z',
  });

  const hop = async (browser: Browser, url: string | undefined) => {
    const res = await browser.get(url ?? '');
    expect(res.status, res.body).to.equal(302);
    return res.location ?? '';
  };
  const loginChallenge = async (browser: Browser) => challengeOf(await hop(browser, authorizeUrl(t, rp, 'openid')), 'login_challenge');
  const authorizeParams = () => Object.fromEntries(new URL(authorizeUrl(t, rp, 'openid')).searchParams);

  before(async () => {
    db = await backend.create();
    t = await startTessera(db, {
      urls: { login: LOGIN_URL, consent: CONSENT_URL, logout: LOGOUT_URL, device: { verification: DEVICE_URL, success: `${DEVICE_URL}/success` } },
      oauth2: { leak_reports: { public: { enabled: true, senders: [{ id: 'github', public_keys: [{ key_identifier: 'k1', key: LEAK_KEYS.publicKey.export({ type: 'spki', format: 'pem' }).toString() }] }] } } },
      oidc: { dynamic_client_registration: { enabled: true } },
    });
    admin = new TesseraAdmin({ baseUrl: t.adminUrl });
    rp = await admin.createClient({
      client_name: 'OpenAPI RP',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code'],
      scope: 'openid offline_access',
    });
    [spare, victim] = [await admin.createClient({ client_name: 'spare' }), await admin.createClient({ client_name: 'victim' })];
    for (const [set, kid] of [[SET, 'k1'], [SET, 'k2'], [DOOMED_SET, 'k1']] as const) await admin.createJsonWebKey(set, { alg: 'ES256', kid });
    for (const which of ['kept', 'doomed'] as const) {
      const res = await fetch(`${t.publicUrl}/oauth2/register`, { method: 'POST', body: JSON.stringify({ grant_types: ['client_credentials'] }), headers: { 'content-type': 'application/json' } });
      const body = (await res.json()) as { client_id: string; registration_access_token: string };
      registered[which] = { id: body.client_id, token: body.registration_access_token };
      const trust = await fetch(`${t.adminUrl}/admin/trust/grants/jwt-bearer/issuers`, { method: 'POST', body: JSON.stringify(trustBody(`https://${which}.example`)), headers: { 'content-type': 'application/json' } });
      trusted[which] = ((await trust.json()) as { id: string }).id;
    }

    // A whole flow, remembered: its token for userinfo and introspection, its session for the logout challenge.
    const user = new Browser();
    const login = await handleLogin(admin, await loginChallenge(user), () => ({ subject: SUBJECT, remember: true }));
    const consent = await handleConsent(admin, challengeOf(await hop(user, login.redirectTo), 'consent_challenge'), (r) => ({ grant_scope: r.requested_scope, remember: true }));
    accessToken = (await exchangeCode(t, rp, new URL(await hop(user, consent.redirectTo)))).access_token;
    pending.logout = new URL(await hop(user, `${t.publicUrl}/oauth2/sessions/logout`)).searchParams.get('logout_challenge') ?? '';

    pending.login = await loginChallenge(new Browser());
    const third = new Browser();
    const accepted = await admin.acceptLoginRequest(await loginChallenge(third), { subject: 'third' });
    pending.consent = challengeOf(await hop(third, accepted.redirect_to), 'consent_challenge');

    // A device request and a device challenge (RFC 8628) for acceptUserCodeRequest.
    const started = await fetch(`${t.publicUrl}/oauth2/device/auth`, {
      method: 'POST',
      headers: { authorization: basic(rp.client_id, rp.client_secret ?? ''), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'scope=openid',
    });
    pending.userCode = ((await started.json()) as { user_code: string }).user_code;
    pending.device = new URL(await hop(new Browser(), `${t.publicUrl}/oauth2/device/verify`)).searchParams.get('device_challenge') ?? '';
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  it('serves the whole document on the admin port and the public part on the public port', async () => {
    const fromAdmin = await fetch(`${t.adminUrl}/.well-known/openapi.json`);
    expect(fromAdmin.headers.get('content-type')).to.match(/^application\/json/);
    expect(await fromAdmin.json()).to.deep.equal(openApiDocument());
    expect(await (await fetch(`${t.publicUrl}/.well-known/openapi.json`)).json()).to.deep.equal(openApiDocument({ api: 'public' }));
  });

  it('documents exactly the routes each app registers', () => {
    expect(registeredRoutes(t.tessera.adminApp)).to.deep.equal(documentedRoutes(openApiDocument({ api: 'admin' })));
    expect(registeredRoutes(t.tessera.publicApp)).to.deep.equal(documentedRoutes(openApiDocument({ api: 'public' })));
  });

  const samples: Record<string, () => Call | Promise<Call>> = {
    createOAuth2Client: () => ({ json: { client_name: 'from the sweep' } }),
    listOAuth2Clients: () => ({ query: { page_size: '2' } }),
    getOAuth2Client: () => ({ params: { id: spare.client_id } }),
    setOAuth2Client: () => ({ params: { id: spare.client_id }, json: { client_name: 'replaced' } }),
    patchOAuth2Client: () => ({ params: { id: spare.client_id }, json: [{ op: 'replace', path: '/client_name', value: 'patched' }] }),
    deleteOAuth2Client: () => ({ params: { id: victim.client_id } }),
    setOAuth2ClientLifespans: () => ({ params: { id: spare.client_id }, json: { refresh_token_grant_access_token_lifespan: '1h' } }),
    getJsonWebKeySet: () => ({ params: { set: SET } }),
    createJsonWebKeySet: () => ({ params: { set: SET }, json: { alg: 'EdDSA' } }),
    setJsonWebKeySet: async () => ({ params: { set: SET }, json: await admin.getJsonWebKeySet(SET) }),
    deleteJsonWebKeySet: () => ({ params: { set: DOOMED_SET } }),
    getJsonWebKey: () => ({ params: { set: SET, kid: 'k1' } }),
    setJsonWebKey: async () => ({ params: { set: SET, kid: 'k1' }, json: await admin.getJsonWebKey(SET, 'k1') }),
    deleteJsonWebKey: () => ({ params: { set: SET, kid: 'k2' } }),
    getOAuth2LoginRequest: () => ({ query: { login_challenge: pending.login } }),
    acceptOAuth2LoginRequest: () => ({ query: { login_challenge: pending.login }, json: { subject: 'sweeper' } }),
    rejectOAuth2LoginRequest: () => ({ query: { login_challenge: pending.login }, json: {} }),
    getOAuth2ConsentRequest: () => ({ query: { consent_challenge: pending.consent } }),
    acceptOAuth2ConsentRequest: () => ({ query: { consent_challenge: pending.consent }, json: { grant_scope: ['openid'] } }),
    rejectOAuth2ConsentRequest: () => ({ query: { consent_challenge: pending.consent }, json: {} }),
    getOAuth2LogoutRequest: () => ({ query: { logout_challenge: pending.logout } }),
    acceptOAuth2LogoutRequest: () => ({ query: { logout_challenge: pending.logout } }),
    rejectOAuth2LogoutRequest: () => ({ query: { logout_challenge: pending.logout } }),
    listOAuth2ConsentSessions: () => ({ query: { subject: SUBJECT } }),
    revokeOAuth2ConsentSessions: () => ({ query: { subject: 'nobody', all: 'true' } }),
    revokeOAuth2LoginSessions: () => ({ query: { subject: 'nobody' } }),
    introspectOAuth2Token: () => ({ form: { token: accessToken } }),
    deleteOAuth2Token: () => ({ query: { client_id: rp.client_id } }),
    oauth2TokenExchange: () => ({ form: { grant_type: 'client_credentials' }, headers: { authorization: basic(rp.client_id, rp.client_secret ?? '') } }),
    revokeOAuth2Token: () => ({ form: { token: 'ory_at_unknown.token' }, headers: { authorization: basic(rp.client_id, rp.client_secret ?? '') } }),
    oAuth2DeviceFlow: () => ({ form: { scope: 'openid' }, headers: { authorization: basic(rp.client_id, rp.client_secret ?? '') } }),
    performOAuth2DeviceVerificationFlow: () => ({ query: {} }),
    acceptUserCodeRequest: () => ({ query: { device_challenge: pending.device }, json: { user_code: pending.userCode } }),
    pushOAuth2AuthorizationRequest: () => {
      const { client_id: _id, ...pushed } = authorizeParams();
      return { form: pushed, headers: { authorization: basic(rp.client_id, rp.client_secret ?? '') } };
    },
    oAuth2Authorize: () => ({ query: authorizeParams() }),
    oAuth2AuthorizeWithForm: () => ({ form: authorizeParams() }),
    revokeOidcSessionWithForm: () => ({ form: {} }),
    getOidcUserInfo: () => ({ headers: { authorization: `Bearer ${accessToken}` } }),
    getOidcUserInfoWithPost: () => ({ headers: { authorization: `Bearer ${accessToken}` } }),
    reportLeakedOAuth2Tokens: () => ({ json: [{ token: 'ory_at_unknown.token' }] }),
    listLeakedOAuth2Tokens: () => ({}),
    reportLeakedOAuth2TokensSigned: () => {
      const json = [{ token: 'ory_at_unknown.token', type: 't' }];
      const signature = sign('sha256', Buffer.from(JSON.stringify(json)), LEAK_KEYS.privateKey).toString('base64');
      return { json, headers: { 'Github-Public-Key-Identifier': 'k1', 'Github-Public-Key-Signature': signature } };
    },
    rotateOAuth2ClientSecretWithGracePeriod: () => ({ params: { id: spare.client_id }, json: { grace_period: '1h' } }),
    createOidcDynamicClient: () => ({ json: { client_name: 'registered by the sweep', grant_types: ['client_credentials'] } }),
    getOidcDynamicClient: () => ({ params: { id: registered.kept.id }, headers: { authorization: `Bearer ${registered.kept.token}` } }),
    setOidcDynamicClient: () => ({ params: { id: registered.kept.id }, headers: { authorization: `Bearer ${registered.kept.token}` }, json: { client_name: 'renamed', grant_types: ['client_credentials'] } }),
    deleteOidcDynamicClient: () => ({ params: { id: registered.doomed.id }, headers: { authorization: `Bearer ${registered.doomed.token}` } }),
    trustOAuth2JwtGrantIssuer: () => ({ json: trustBody('https://sweep.example') }),
    listTrustedOAuth2JwtGrantIssuers: () => ({ query: { page_size: '1' } }),
    getTrustedOAuth2JwtGrantIssuer: () => ({ params: { id: trusted.kept } }),
    deleteTrustedOAuth2JwtGrantIssuer: () => ({ params: { id: trusted.doomed } }),
  };

  async function send(op: Operation, api: Api, call: Call): Promise<Response> {
    const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(call.params?.[name] ?? 'x'));
    const query = call.query ? `?${new URLSearchParams(call.query)}` : '';
    const headers: Record<string, string> = { ...call.headers };
    let body: string | undefined;
    if (call.json !== undefined) [body, headers['content-type']] = [JSON.stringify(call.json), 'application/json'];
    if (call.form !== undefined) [body, headers['content-type']] = [new URLSearchParams(call.form).toString(), 'application/x-www-form-urlencoded'];
    const base = api === 'admin' ? t.adminUrl : t.publicUrl;
    return fetch(`${base}${path}${query}`, { method: op.method.toUpperCase(), headers, body: body ?? null, redirect: 'manual' });
  }

  it('serves every documented operation; every answer is documented and matches its schema', async () => {
    const doc = openApiDocument();
    const validator = documentValidator(doc);
    const problems: string[] = [];
    const validated = new Set<string>();
    // Deletions last, so that what they remove was there for the others.
    const ordered = [...operations].sort((a, b) => Number(a.method === 'delete') - Number(b.method === 'delete'));
    for (const op of ordered) {
      for (const api of op.apis) {
        const label = `${op.method.toUpperCase()} ${op.path} (${op.operationId}, ${api} port)`;
        const res = await send(op, api, await (samples[op.operationId]?.() ?? {}));
        const text = await res.text();
        expect(res.status, `${label}: ${text}`).not.to.equal(404);
        if (res.status >= 400) problems.push(`${label}: the sample failed with ${res.status} ${text}`);

        const responses = (doc.paths[op.path]?.[op.method]?.['responses'] ?? {}) as Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
        const documented = responses[String(res.status)] ?? (res.status >= 400 ? responses['default'] : undefined);
        if (!documented) {
          problems.push(`${label}: status ${res.status} is not documented`);
          continue;
        }
        const [media, content] = Object.entries(documented.content ?? {})[0] ?? [];
        const type = res.headers.get('content-type') ?? '';
        if (media === 'application/json') {
          if (!type.startsWith('application/json')) problems.push(`${label}: ${res.status} is documented as JSON, came as "${type}"`);
          const body: unknown = JSON.parse(text);
          for (const issue of validator.issues(content?.schema ?? {}, body)) problems.push(`${label}: ${res.status} answer: ${issue}`);
          for (const extra of validator.undocumented(content?.schema ?? {}, body)) problems.push(`${label}: ${res.status} answer has an undocumented ${extra}`);
          validated.add(`${op.operationId} ${res.status}`);
        } else if (media === 'text/html') {
          if (!type.startsWith('text/html')) problems.push(`${label}: ${res.status} is documented as HTML, came as "${type}"`);
        } else if (media?.startsWith('text/plain')) {
          if (!type.startsWith(media)) problems.push(`${label}: ${res.status} is documented as ${media}, came as "${type}"`);
        } else if (text !== '') {
          problems.push(`${label}: ${res.status} is documented without a body, came with ${JSON.stringify(text.slice(0, 100))}`);
        }
      }
    }
    expect(problems).to.deep.equal([]);
    expect([...validated]).to.include.members([
      'listOAuth2Clients 200',
      'getOAuth2Client 200',
      'introspectOAuth2Token 200',
      'discoverOidcConfiguration 200',
      'getOAuth2LoginRequest 200',
      'getOAuth2ConsentRequest 200',
      'getOAuth2LogoutRequest 200',
      'listOAuth2ConsentSessions 200',
      'oauth2TokenExchange 200',
      'getOidcUserInfo 200',
    ]);
  });

  it('documents the 410 of a used challenge and the errors of bad requests', async () => {
    const doc = openApiDocument();
    const validator = documentValidator(doc);
    const browser = new Browser();
    const challenge = await loginChallenge(browser);
    await hop(browser, (await admin.acceptLoginRequest(challenge, { subject: 'used' })).redirect_to);
    const answers = [
      { op: 'getOAuth2LoginRequest', status: 410, res: await fetch(`${t.adminUrl}/admin/oauth2/auth/requests/login?login_challenge=${challenge}`) },
      { op: 'getOAuth2Client', status: 404, res: await fetch(`${t.adminUrl}/admin/clients/nobody`) },
      { op: 'createOAuth2Client', status: 400, res: await fetch(`${t.adminUrl}/admin/clients`, { method: 'POST', body: '{"redirect_uris": 5}', headers: { 'content-type': 'application/json' } }) },
      { op: 'getOidcUserInfo', status: 401, res: await fetch(`${t.publicUrl}/userinfo`) },
    ];
    for (const { op, status, res } of answers) {
      const operation = operations.find((o) => o.operationId === op);
      const responses = (doc.paths[operation?.path ?? '']?.[operation?.method ?? 'get']?.['responses'] ?? {}) as Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
      expect(res.status, op).to.equal(status);
      const schema = responses[String(status)]?.content?.['application/json']?.schema;
      expect(schema, `${op} documents ${status}`).to.be.an('object');
      expect(validator.issues(schema ?? {}, await res.json()), op).to.deep.equal([]);
    }
  });
});
