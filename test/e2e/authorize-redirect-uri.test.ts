import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { describeEachBackend, type Database } from '../helpers/databases.js';
import { startTessera, type Running } from '../helpers/tessera.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { FLOW_URLS, LOGIN_URL } from '../helpers/flow.js';
import { request, type Answer } from '../helpers/http.js';

/*
 * /oauth2/auth before the client and its redirect_uri are trusted: RFC 6749
 * §3.1.2.4 and §4.1.2.1, RFC 9700 §2.1 and §4.1 (exact matching, no open
 * redirector), RFC 8252 §7.3 (loopback ports), and the OpenID conformance
 * modules oidcc-ensure-registered-redirect-uri,
 * oidcc-ensure-redirect-uri-in-authorization-request and
 * oidcc-redirect-uri-query-*.
 */

const REDIRECT = 'https://client.example/cb';
const SECOND = 'https://client.example/other';
const WITH_QUERY = 'https://client.example/q?tenant=1';
const ATTACKER = 'https://attacker.example/cb';
const ERROR_URL = 'http://errors.test/oops';
const STATE = 'state-0123456789';
const VERIFIER = 'v'.repeat(43) + '-authorize-redirect-uri';
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');

type Json = { error?: string; error_description?: string };

function authorize(t: Running, params: Record<string, string>): Promise<Answer<Json>> {
  return request<Json>(t.publicUrl, 'GET', `/oauth2/auth?${new URLSearchParams(params).toString()}`);
}

/** A request that is valid in every respect but the ones a test overrides. */
function valid(client: CreatedClient, overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const params: Record<string, string | undefined> = {
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid',
    state: STATE,
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Shown to the user, never redirected (RFC 9700 §4.11). */
function expectShown(res: Answer<Json>, status: number, error: string): void {
  expect(res.status, res.text).to.equal(status);
  expect(res.headers.get('location'), 'no Location header').to.equal(null);
  expect(res.headers.get('content-type') ?? '').to.include('application/json');
  expect(res.body.error, res.text).to.equal(error);
  expect(res.body.error_description).to.be.a('string').and.not.equal('');
}

function expectLogin(res: Answer<Json>): void {
  expect(res.status, res.text).to.equal(302);
  const location = new URL(res.headers.get('location') ?? '');
  expect(`${location.origin}${location.pathname}`).to.equal(LOGIN_URL);
  expect(location.searchParams.get('login_challenge')).to.be.a('string').and.not.equal('');
}

/** The client's redirect_uri with an error: the URI without its query must be `base`. */
function redirectedError(res: Answer<Json>, base: string): URLSearchParams {
  expect(res.status, res.text).to.equal(302);
  const location = new URL(res.headers.get('location') ?? '');
  expect(`${location.origin}${location.pathname}`).to.equal(base);
  return location.searchParams;
}

describeEachBackend('/oauth2/auth: client and redirect_uri validation', (backend) => {
  let db: Database;
  let t: Running;
  let client: CreatedClient;
  let several: CreatedClient;
  let withQuery: CreatedClient;
  let v4: CreatedClient;
  let v6: CreatedClient;
  let localhost: CreatedClient;

  before(async () => {
    db = await backend.create();
    t = await startTessera(db, FLOW_URLS);
    client = await createClient(t.adminUrl, { redirect_uris: [REDIRECT], scope: 'openid' });
    several = await createClient(t.adminUrl, { redirect_uris: [REDIRECT, SECOND], scope: 'openid' });
    withQuery = await createClient(t.adminUrl, { redirect_uris: [WITH_QUERY], scope: 'openid' });
    v4 = await createClient(t.adminUrl, { redirect_uris: ['http://127.0.0.1/cb'], scope: 'openid', token_endpoint_auth_method: 'none' });
    v6 = await createClient(t.adminUrl, { redirect_uris: ['http://[::1]/cb'], scope: 'openid', token_endpoint_auth_method: 'none' });
    localhost = await createClient(t.adminUrl, { redirect_uris: ['http://localhost/cb'], scope: 'openid', token_endpoint_auth_method: 'none' });
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  it('accepts the exact registered redirect_uri (the control for what follows)', async () => {
    expectLogin(await authorize(t, valid(client)));
  });

  // 400 rather than RFC 6749 §5.2's 401: nothing authenticates here, and a 401 with
  // WWW-Authenticate: Basic would make the browser prompt for credentials (commit 4b9c6e4).
  it('shows invalid_client for an unknown client_id, even with an attacker redirect_uri, without a credentials challenge', async () => {
    for (const params of [valid(client, { client_id: 'no-such-client' }), valid(client, { client_id: 'no-such-client', redirect_uri: ATTACKER })]) {
      const res = await authorize(t, params);
      expectShown(res, 400, 'invalid_client');
      expect(res.headers.get('www-authenticate')).to.equal(null);
    }
  });

  it('shows 400 invalid_request when client_id is missing', async () => {
    expectShown(await authorize(t, valid(client, { client_id: undefined })), 400, 'invalid_request');
  });

  const mismatches: ReadonlyArray<[string, string]> = [
    ['an unregistered (attacker) host', ATTACKER],
    ['a query added', `${REDIRECT}?next=${encodeURIComponent(ATTACKER)}`],
    ['a changed path', 'https://client.example/cb/evil'],
    ['a trailing slash', `${REDIRECT}/`],
    ['a path in another case', 'https://client.example/CB'],
    ['a host in another case', 'https://CLIENT.example/cb'],
    ['a fragment', `${REDIRECT}#frag`],
    ['http instead of https', 'http://client.example/cb'],
    ['an explicit port', 'https://client.example:443/cb'],
    ['user info', 'https://attacker.example@client.example/cb'],
  ];
  for (const [what, uri] of mismatches) {
    it(`shows 400 invalid_request, never a redirect, for a redirect_uri with ${what}`, async () => {
      expectShown(await authorize(t, valid(client, { redirect_uri: uri })), 400, 'invalid_request');
    });
  }

  it('shows a mismatch even when the request has another error that would otherwise be redirected', async () => {
    expectShown(await authorize(t, valid(client, { redirect_uri: ATTACKER, response_type: 'token' })), 400, 'invalid_request');
  });

  it('matches a registered query exactly: the same query is accepted, a changed or missing one is not', async () => {
    expectLogin(await authorize(t, valid(withQuery, { redirect_uri: WITH_QUERY })));
    expectShown(await authorize(t, valid(withQuery, { redirect_uri: 'https://client.example/q?tenant=2' })), 400, 'invalid_request');
    expectShown(await authorize(t, valid(withQuery, { redirect_uri: 'https://client.example/q' })), 400, 'invalid_request');
    expectShown(await authorize(t, valid(withQuery, { redirect_uri: `${WITH_QUERY}&tenant=2` })), 400, 'invalid_request');
  });

  it('keeps the registered query when it redirects an error there', async () => {
    const params = redirectedError(await authorize(t, valid(withQuery, { redirect_uri: WITH_QUERY, response_type: 'bogus' })), 'https://client.example/q');
    expect(params.get('tenant')).to.equal('1');
    expect(params.get('error')).to.equal('unsupported_response_type');
  });

  it('shows 400 when the client has several redirect_uris and none is sent', async () => {
    expectShown(await authorize(t, valid(several, { redirect_uri: undefined })), 400, 'invalid_request');
    expectLogin(await authorize(t, valid(several, { redirect_uri: SECOND })));
  });

  it('uses the only registered redirect_uri when none is sent, for the flow and for errors', async () => {
    expectLogin(await authorize(t, valid(client, { redirect_uri: undefined })));
    const params = redirectedError(await authorize(t, valid(client, { redirect_uri: undefined, response_type: undefined })), REDIRECT);
    expect(params.get('error')).to.equal('invalid_request');
    expect(params.get('state')).to.equal(STATE);
  });

  it('redirects errors to a private-use scheme redirect_uri of a native app (RFC 8252 §7.1)', async () => {
    const native = await createClient(t.adminUrl, { redirect_uris: ['com.example.app:/oauth2redirect'], scope: 'openid', token_endpoint_auth_method: 'none' });
    expectLogin(await authorize(t, valid(native, { redirect_uri: 'com.example.app:/oauth2redirect' })));
    const res = await authorize(t, valid(native, { redirect_uri: 'com.example.app:/oauth2redirect', response_type: 'bogus' }));
    expect(res.status, res.text).to.equal(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(`${location.protocol}${location.pathname}`).to.equal('com.example.app:/oauth2redirect');
    expect(location.searchParams.get('error')).to.equal('unsupported_response_type');
    expectShown(await authorize(t, valid(native, { redirect_uri: 'com.example.app:/other' })), 400, 'invalid_request');
  });

  describe('loopback redirect URIs (RFC 8252 §7.3)', () => {
    it('accepts any port for a registered http://127.0.0.1/cb, and redirects there', async () => {
      expectLogin(await authorize(t, valid(v4, { redirect_uri: 'http://127.0.0.1:5555/cb' })));
      expectLogin(await authorize(t, valid(v4, { redirect_uri: 'http://127.0.0.1/cb' })));
      const params = redirectedError(await authorize(t, valid(v4, { redirect_uri: 'http://127.0.0.1:5555/cb', response_type: 'bogus' })), 'http://127.0.0.1:5555/cb');
      expect(params.get('error')).to.equal('unsupported_response_type');
    });

    it('accepts any port for a registered http://[::1]/cb', async () => {
      expectLogin(await authorize(t, valid(v6, { redirect_uri: 'http://[::1]:5555/cb' })));
    });

    it('lets only the port vary: path, query, host and fragment still match exactly', async () => {
      for (const uri of [
        'http://127.0.0.1:5555/other',
        'http://127.0.0.1:5555/cb/',
        'http://127.0.0.1:5555/cb?x=1',
        'http://127.0.0.1:5555/cb#x',
        'http://127.0.0.2:5555/cb',
        'http://[::1]:5555/cb',
        'https://127.0.0.1:5555/cb',
      ]) {
        expectShown(await authorize(t, valid(v4, { redirect_uri: uri })), 400, 'invalid_request');
      }
      expectShown(await authorize(t, valid(v6, { redirect_uri: 'http://127.0.0.1:5555/cb' })), 400, 'invalid_request');
    });

    it('compares the non-port part as sent, without URL normalisation (RFC 9700 §4.1.3)', async () => {
      const accepted: string[] = [];
      for (const uri of ['http://127.0.0.1:5555/x/../cb', 'HTTP://127.0.0.1:5555/cb', 'http://127.0.0.1:5555\\cb', 'http://127.1:5555/cb', 'http://127.0.0.1:5555/c\tb']) {
        const res = await authorize(t, valid(v4, { redirect_uri: uri }));
        if (res.status !== 400 || res.headers.get('location') !== null) accepted.push(`${JSON.stringify(uri)} → ${res.status}`);
      }
      expect(accepted, 'redirect URIs that differ from the registered one in more than the port').to.deep.equal([]);
    });

    it('gives localhost no port leeway', async () => {
      expectShown(await authorize(t, valid(localhost, { redirect_uri: 'http://localhost:5555/cb' })), 400, 'invalid_request');
      expectLogin(await authorize(t, valid(localhost, { redirect_uri: 'http://localhost/cb' })));
    });
  });

  describe('with urls.error configured', () => {
    let e: Running;
    let eDb: Database;
    let eClient: CreatedClient;

    before(async () => {
      eDb = await backend.create();
      e = await startTessera(eDb, { urls: { ...FLOW_URLS.urls, error: ERROR_URL } });
      eClient = await createClient(e.adminUrl, { redirect_uris: [REDIRECT], scope: 'openid' });
    });
    after(async () => {
      await e?.stop();
      await eDb?.drop();
    });

    function toErrorPage(res: Answer<Json>, error: string): void {
      expect(res.status, res.text).to.equal(302);
      const location = new URL(res.headers.get('location') ?? '');
      expect(`${location.origin}${location.pathname}`).to.equal(ERROR_URL);
      expect(location.searchParams.get('error')).to.equal(error);
      expect(location.searchParams.get('error_description')).to.be.a('string').and.not.equal('');
      expect(location.searchParams.get('code')).to.equal(null);
    }

    it('sends an unknown client to urls.error, not to the attacker redirect_uri', async () => {
      toErrorPage(await authorize(e, valid(eClient, { client_id: 'no-such-client', redirect_uri: ATTACKER })), 'invalid_client');
    });

    it('sends a missing client_id to urls.error', async () => {
      toErrorPage(await authorize(e, valid(eClient, { client_id: undefined })), 'invalid_request');
    });

    it('sends an unregistered redirect_uri to urls.error', async () => {
      toErrorPage(await authorize(e, valid(eClient, { redirect_uri: ATTACKER })), 'invalid_request');
      toErrorPage(await authorize(e, valid(eClient, { redirect_uri: `${REDIRECT}?x=1` })), 'invalid_request');
    });

    it('still redirects errors found after validation to the client', async () => {
      const params = redirectedError(await authorize(e, valid(eClient, { response_type: 'bogus' })), REDIRECT);
      expect(params.get('error')).to.equal('unsupported_response_type');
      expect(params.get('iss')).to.equal(e.config.urls.self.issuer);
    });
  });
});
