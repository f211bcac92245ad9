import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { DiscoveryDocument } from '@tessera/sdk';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera, type Running } from '../helpers/tessera.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { FLOW_URLS, runFlow } from '../helpers/flow.js';
import { Browser } from '../helpers/browser.js';
import { request } from '../helpers/http.js';
import { authorizeUrl, exchange, introspect, obtainTokens } from './tokens-helpers.js';
import { approve, DEVICE_GRANT, DEVICE_URLS, deviceAuth, poll } from './device-support.js';

/*
 * Pairwise subject identifiers (OIDC Core §8.1; Hydra's
 * oidc.subject_identifiers.* and pairwise.salt): hex SHA-256 of sector
 * host, subject and salt. The sector is the redirect URIs' host or the
 * sector_identifier_uri's, whose list (fetched at registration) must hold
 * every redirect URI. The pairwise `sub` is in ID tokens and userinfo;
 * access tokens keep the local subject, introspection adds `obfuscated_subject`.
 */

const SALT = 'pairwise-test-salt';
const pairwise = (sector: string, subject: string) => createHash('sha256').update(sector + subject + SALT).digest('hex');

interface SectorServer {
  readonly url: (path: string) => string;
  readonly host: string;
  close(): Promise<void>;
}

/** Serves sector_identifier_uri documents from 127.0.0.1 (allowed by oauth2.backchannel_logout.allow_private_networks). */
async function sectorServer(documents: Record<string, { status?: number; body: string }>): Promise<SectorServer> {
  const server: Server = createServer((req, res) => {
    const doc = documents[req.url ?? ''];
    res.writeHead(doc?.status ?? (doc ? 200 : 404), { 'content-type': 'application/json' });
    res.end(doc?.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: (path) => `http://${host}${path}`, host, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const C_URIS = ['https://c1.example/cb', 'https://c2.example/cb'];
const LOGOUT_URL = 'http://login.test/logout';

describeEachBackend('pairwise subject identifiers', (backend) => {
  const h = useTessera(backend, {
    urls: { ...FLOW_URLS.urls, logout: LOGOUT_URL },
    oidc: { subject_identifiers: { supported_types: ['public', 'pairwise'], pairwise: { salt: SALT } } },
    oauth2: { backchannel_logout: { allow_private_networks: true } },
    strategies: { access_token: 'jwt' },
  });
  let t: Running;
  let sectors: SectorServer;

  const register = (redirect_uris: string[], extra: Record<string, unknown> = {}) =>
    createClient(t.adminUrl, { redirect_uris, scope: 'openid', subject_type: 'pairwise', ...extra });
  const refusal = async (body: Record<string, unknown>) => {
    const res = await request<{ error: string; error_description: string }>(t.adminUrl, 'POST', '/admin/clients', { json: { scope: 'openid', subject_type: 'pairwise', ...body } });
    expect(res.status, res.text).to.equal(400);
    expect(res.body.error).to.equal('invalid_client_metadata');
    return res.body.error_description;
  };
  const signIn = async (client: CreatedClient, redirectUri: string, login: Record<string, string> = {}) => {
    const tokens = await obtainTokens(t, client, { scope: 'openid', redirectUri, login: { subject: 'alice', ...login } });
    const info = await request<{ sub: string }>(t.publicUrl, 'GET', '/userinfo', { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(info.status, info.text).to.equal(200);
    return { idSub: decodeJwt(tokens.id_token ?? '').sub, userinfoSub: info.body.sub, accessToken: tokens.access_token };
  };

  before(async () => {
    t = h.t;
    sectors = await sectorServer({
      '/sector.json': { body: JSON.stringify([...C_URIS, 'https://elsewhere.example/cb']) },
      '/partial.json': { body: JSON.stringify([C_URIS[0]]) },
      '/not-json': { body: 'hello' },
      '/object.json': { body: JSON.stringify({ redirect_uris: C_URIS }) },
      '/huge.json': { body: JSON.stringify(Array.from({ length: 5000 }, (_, i) => `https://c${i}.example/a-long-enough-path`)) },
      '/gone': { status: 410, body: '[]' },
    });
  });
  after(async () => sectors?.close());

  it('discovery lists pairwise when it is configured', async () => {
    const doc = (await request<DiscoveryDocument>(t.publicUrl, 'GET', '/.well-known/openid-configuration')).body;
    expect(doc.subject_types_supported).to.deep.equal(['public', 'pairwise']);
  });

  it('the same user has one subject per sector: equal across clients of a sector, different across sectors, local for public clients', async () => {
    const a1 = await register(['https://a.example/cb']);
    const a2 = await register(['https://a.example/other', 'https://a.example/cb2']);
    const b = await register(['https://b.example/cb']);
    const pub = await createClient(t.adminUrl, { redirect_uris: ['https://p.example/cb'], scope: 'openid' });
    const atA1 = await signIn(a1, 'https://a.example/cb');
    const atA2 = await signIn(a2, 'https://a.example/other');
    const atB = await signIn(b, 'https://b.example/cb');
    const atPub = await signIn(pub, 'https://p.example/cb');
    expect(atA1.idSub).to.equal(pairwise('a.example', 'alice'));
    expect(atA2.idSub).to.equal(atA1.idSub);
    expect(atB.idSub).to.equal(pairwise('b.example', 'alice'));
    expect(atB.idSub).not.to.equal(atA1.idSub);
    expect(atPub.idSub).to.equal('alice');
    for (const seen of [atA1, atA2, atB, atPub]) expect(seen.userinfoSub).to.equal(seen.idSub);

    // Access tokens keep the local subject (what resource servers know), as in Hydra; introspection names both.
    expect(decodeJwt(atA1.accessToken).sub).to.equal('alice');
    const seen = await introspect(t, atA1.accessToken);
    expect(seen).to.include({ sub: 'alice', obfuscated_subject: atA1.idSub });
    expect(await introspect(t, atPub.accessToken)).not.to.have.property('obfuscated_subject');
  });

  it('sector_identifier_uri: fetched at registration, must list every redirect URI; its host is the sector', async () => {
    const c = await register(C_URIS, { sector_identifier_uri: sectors.url('/sector.json') });
    expect((await signIn(c, C_URIS[1] ?? '')).idSub).to.equal(pairwise(sectors.host, 'alice'));

    expect(await refusal({ redirect_uris: C_URIS })).to.include('sector_identifier_uri');
    expect(await refusal({ redirect_uris: C_URIS, sector_identifier_uri: sectors.url('/partial.json') })).to.include(C_URIS[1]);
    expect(await refusal({ redirect_uris: C_URIS, sector_identifier_uri: sectors.url('/not-json') })).to.include('not JSON');
    expect(await refusal({ redirect_uris: C_URIS, sector_identifier_uri: sectors.url('/object.json') })).to.include('JSON array');
    expect(await refusal({ redirect_uris: C_URIS, sector_identifier_uri: sectors.url('/huge.json') })).to.include('larger than');
    expect(await refusal({ redirect_uris: C_URIS, sector_identifier_uri: sectors.url('/gone') })).to.include('410');
    // The SSRF rules apply: link-local (cloud metadata) is never fetched.
    expect(await refusal({ redirect_uris: C_URIS, sector_identifier_uri: 'http://169.254.169.254/latest' })).to.include('sector_identifier_uri');
  });

  it('force_subject_identifier from the login accept replaces a pairwise client\'s subject, and is ignored for a public one', async () => {
    const a = await register(['https://a.example/forced']);
    const pub = await createClient(t.adminUrl, { redirect_uris: ['https://p.example/forced'], scope: 'openid' });
    const forced = await signIn(a, 'https://a.example/forced', { force_subject_identifier: 'forced-alice' });
    expect(forced.idSub).to.equal('forced-alice');
    expect(forced.userinfoSub).to.equal('forced-alice');
    expect((await signIn(pub, 'https://p.example/forced', { force_subject_identifier: 'forced-alice' })).idSub).to.equal('alice');
  });

  /** A remembered sign-in in a browser of its own, and the ID token it yielded. */
  const signedInBrowser = async (client: CreatedClient, redirectUri: string, login: Record<string, string>) => {
    const browser = new Browser();
    const first = authorizeUrl(t, client.client_id, { scope: 'openid', redirectUri });
    const callback = await runFlow(browser, t.adminUrl, first.url, { login: { remember: true, ...login }, consent: { remember: true } });
    const res = await exchange(t, client, { code: callback.searchParams.get('code') ?? '', verifier: first.verifier, redirectUri, state: first.state });
    expect(res.status, res.text).to.equal(200);
    return { browser, idToken: res.body.id_token ?? '' };
  };
  /** prompt=none with the hint: the remembered session stands (true) or login_required (false). */
  const silentWith = async (browser: Browser, client: CreatedClient, redirectUri: string, idToken: string) => {
    const again = authorizeUrl(t, client.client_id, { scope: 'openid', redirectUri });
    const silent = await browser.get(`${again.url}&prompt=none&id_token_hint=${idToken}`);
    expect(silent.status).to.equal(302);
    return !(silent.location ?? '').includes('error=login_required');
  };
  const logoutWith = (browser: Browser, idToken: string, postLogout: string) =>
    browser.get(`${t.publicUrl}/oauth2/sessions/logout?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: postLogout }).toString()}`);

  it('an ID token with a pairwise sub is a valid id_token_hint: prompt=none reuses the session, RP-initiated logout names the user', async () => {
    const redirectUri = 'https://a.example/hint';
    const a = await register([redirectUri], { post_logout_redirect_uris: ['https://a.example/bye'] });
    const { browser, idToken } = await signedInBrowser(a, redirectUri, { subject: 'alice' });
    expect(decodeJwt(idToken).sub).to.equal(pairwise('a.example', 'alice'));
    expect(await silentWith(browser, a, redirectUri, idToken)).to.equal(true);
    const logout = await logoutWith(browser, idToken, 'https://a.example/bye');
    expect(logout.status, logout.body).to.equal(302);
    expect(logout.location ?? '').to.match(new RegExp(`^${LOGOUT_URL}\\?logout_challenge=`));
  });

  it('a forced subject is a valid id_token_hint for its user only (Hydra\'s obfuscated authentication session)', async () => {
    const redirectUri = 'https://a.example/forced-hint';
    const a = await register([redirectUri], { post_logout_redirect_uris: ['https://a.example/bye'] });
    const alice = await signedInBrowser(a, redirectUri, { subject: 'alice', force_subject_identifier: 'forced-hint-alice' });
    expect(decodeJwt(alice.idToken).sub).to.equal('forced-hint-alice');
    expect(await silentWith(alice.browser, a, redirectUri, alice.idToken), 'prompt=none with the forced sub').to.equal(true);

    // Bob's session in another browser: alice's forced sub does not name him.
    const bob = await signedInBrowser(a, redirectUri, { subject: 'bob' });
    expect(await silentWith(bob.browser, a, redirectUri, alice.idToken), 'prompt=none for someone else').to.equal(false);
    const refused = await logoutWith(bob.browser, alice.idToken, 'https://a.example/bye');
    expect(refused.status, refused.body).to.equal(400);

    // A forced sub names nobody at another pairwise client.
    const otherUri = 'https://b.example/forced-hint';
    const b = await register([otherUri]);
    const aliceAtB = await signedInBrowser(b, otherUri, { subject: 'alice' });
    const forcedForA = alice.idToken;
    expect(await silentWith(aliceAtB.browser, b, otherUri, forcedForA), 'a hint issued to another client names its own sub only').to.equal(false);

    const logout = await logoutWith(alice.browser, alice.idToken, 'https://a.example/bye');
    expect(logout.status, logout.body).to.equal(302);
    expect(logout.location ?? '').to.match(new RegExp(`^${LOGOUT_URL}\\?logout_challenge=`));
  });
});

describeEachBackend('pairwise subject identifiers, not configured', (backend) => {
  const h = useTessera(backend, FLOW_URLS);

  it('discovery lists public only and registration refuses subject_type pairwise', async () => {
    const doc = (await request<DiscoveryDocument>(h.t.publicUrl, 'GET', '/.well-known/openid-configuration')).body;
    expect(doc.subject_types_supported).to.deep.equal(['public']);
    const res = await request<{ error: string }>(h.t.adminUrl, 'POST', '/admin/clients', { json: { redirect_uris: ['https://a.example/cb'], subject_type: 'pairwise' } });
    expect(res.status).to.equal(400);
    expect(res.body.error).to.equal('invalid_client_metadata');
  });
});

describe('oidc.subject_identifiers.pairwise.salt', () => {
  it('is required when pairwise is offered', async () => {
    const { loadConfig, ConfigError } = await import('../../server/src/config/load.js');
    const base = { dsn: 'memory', urls: { self: { issuer: 'http://127.0.0.1:4444' } }, secrets: { system: ['x'.repeat(32)] } };
    expect(() => loadConfig({ env: {}, overrides: { ...base, oidc: { subject_identifiers: { supported_types: ['public', 'pairwise'] } } } })).to.throw(
      ConfigError,
      /oidc\.subject_identifiers\.pairwise\.salt/,
    );
  });
});

describeEachBackend('implicit responses: JWT access tokens and pairwise subjects at the authorization endpoint', (backend) => {
  const h = useTessera(backend, {
    ...FLOW_URLS,
    oidc: { subject_identifiers: { supported_types: ['public', 'pairwise'], pairwise: { salt: SALT } } },
    strategies: { access_token: 'jwt' },
  });

  it('response_type "id_token token" returns an RFC 9068 JWT access token (local sub) and an ID token with the pairwise sub', async () => {
    const t = h.t;
    const redirect = 'https://spa.example/cb';
    const client = await createClient(t.adminUrl, {
      redirect_uris: [redirect],
      grant_types: ['implicit'],
      response_types: ['id_token token'],
      scope: 'openid',
      subject_type: 'pairwise',
      token_endpoint_auth_method: 'none',
    });
    const params = new URLSearchParams({ client_id: client.client_id, redirect_uri: redirect, response_type: 'id_token token', scope: 'openid', state: 'state-0123456789', nonce: 'nonce-0123456789' });
    const callback = await runFlow(new Browser(), t.adminUrl, `${t.publicUrl}/oauth2/auth?${params.toString()}`, { login: { subject: 'alice' } });
    const fragment = new URLSearchParams(callback.hash.slice(1));
    expect(fragment.get('error'), callback.href).to.equal(null);
    const accessToken = fragment.get('access_token') ?? '';
    const { payload } = await jwtVerify(accessToken, createRemoteJWKSet(new URL(`${t.publicUrl}/.well-known/jwks.json`)), { issuer: t.config.urls.self.issuer, typ: 'at+jwt' });
    expect(payload).to.include({ sub: 'alice', client_id: client.client_id });
    expect(decodeJwt(fragment.get('id_token') ?? '').sub).to.equal(pairwise('spa.example', 'alice'));
    const seen = await introspect(t, accessToken);
    expect(seen).to.include({ active: true, sub: 'alice', obfuscated_subject: pairwise('spa.example', 'alice') });
    const info = await request<{ sub: string }>(t.publicUrl, 'GET', '/userinfo', { headers: { authorization: `Bearer ${accessToken}` } });
    expect(info.body.sub).to.equal(pairwise('spa.example', 'alice'));
  });
});

describeEachBackend('pairwise subject identifiers in the device flow', (backend) => {
  const h = useTessera(backend, {
    ...DEVICE_URLS,
    oidc: { subject_identifiers: { supported_types: ['public', 'pairwise'], pairwise: { salt: SALT } } },
  });

  /** The device side and the user's side of one device flow; the ID token's `sub`. */
  const deviceSub = async (client: CreatedClient, login: { subject: string; force_subject_identifier?: string }) => {
    const started = await deviceAuth(h.t, client, { scope: 'openid' });
    expect(started.status, started.text).to.equal(200);
    await approve(new Browser(), h.t, started.body.user_code, { login });
    const tokens = await poll(h.t, client, started.body.device_code);
    expect(tokens.status, tokens.text).to.equal(200);
    return decodeJwt(tokens.body.id_token ?? '').sub;
  };

  it('gives a device grant the pairwise sub, or the one the login app forced (the same rule as the code flow)', async () => {
    const tv = await createClient(h.t.adminUrl, { grant_types: [DEVICE_GRANT], redirect_uris: ['https://tv.example/cb'], scope: 'openid', subject_type: 'pairwise' });
    expect(await deviceSub(tv, { subject: 'alice' })).to.equal(pairwise('tv.example', 'alice'));
    expect(await deviceSub(tv, { subject: 'alice', force_subject_identifier: 'forced-alice' })).to.equal('forced-alice');
  });
});
