import { expect } from 'chai';
import { Configuration, OAuth2Api } from '@ory/hydra-client';
import type * as hydra from '@ory/hydra-client';
import {
  handleConsent,
  TesseraAdmin,
  type IntrospectedOAuth2Token,
  type JsonWebKeySet,
  type LifespanField,
  type OAuth2Client,
  type OAuth2ConsentSession,
  type OAuth2LoginRequest,
  type OAuth2LogoutRequest,
  type OAuth2RedirectTo,
  type TokenResponse,
} from '@tessera/sdk';
import { describeEachBackend, type Database } from '../helpers/databases.js';
import { startTessera, type Running } from '../helpers/tessera.js';
import { Browser } from '../helpers/browser.js';
import { challengeOf, FLOW_URLS } from '../helpers/flow.js';
import { authorizeUrl, exchangeCode, REDIRECT, uid } from './support.js';

/*
 * Our SDK and @ory/hydra-client read the same answers: checked by the type
 * checker (every answer type of ours fits Hydra's) and at run time (both
 * clients, same request, same data).
 */

type Fits<A extends B, B> = A;
/**
 * Left out, where Hydra's generated types are narrower than the wire: unset
 * lifespans are `null` (Hydra's Go type is a nullable duration; the TS type
 * says `string | undefined`), and the keys of a client's own `jwks` may lack
 * `alg`, `kid` and `use` (optional in RFC 7517; required in the TS type).
 */
type Client = Omit<OAuth2Client, LifespanField | 'jwks'>;
type WithClient<T extends { client?: unknown }> = Omit<T, 'client'> & (undefined extends T['client'] ? { client?: Client } : { client: Client });
type ConsentSession = Omit<OAuth2ConsentSession, 'consent_request'> & { consent_request: WithClient<OAuth2ConsentSession['consent_request']> };

export type OursFitHydras = [
  Fits<Client, hydra.OAuth2Client>,
  Fits<WithClient<OAuth2LoginRequest>, hydra.OAuth2LoginRequest>,
  Fits<WithClient<OAuth2LogoutRequest>, hydra.OAuth2LogoutRequest>,
  Fits<IntrospectedOAuth2Token, hydra.IntrospectedOAuth2Token>,
  Fits<JsonWebKeySet, hydra.JsonWebKeySet>,
  Fits<TokenResponse, hydra.OAuth2TokenExchange>,
  Fits<OAuth2RedirectTo, hydra.OAuth2RedirectTo>,
  Fits<ConsentSession, hydra.OAuth2ConsentSession>,
];

describeEachBackend('sdk and @ory/hydra-client read the same answers', (backend) => {
  let db: Database;
  let t: Running;
  let admin: TesseraAdmin;
  let hydraApi: OAuth2Api;
  let rp: OAuth2Client;

  before(async () => {
    db = await backend.create();
    t = await startTessera(db, { urls: { ...FLOW_URLS.urls, logout: 'http://login.test/logout' } });
    admin = new TesseraAdmin({ baseUrl: t.adminUrl });
    hydraApi = new OAuth2Api(new Configuration({ basePath: t.adminUrl }));
    rp = await admin.createClient({ client_name: 'Both SDKs', redirect_uris: [REDIRECT], scope: 'openid' });
  });
  after(async () => {
    await t?.stop();
    await db?.drop();
  });

  it('a client, a login request, consent sessions, a logout request and an introspection', async () => {
    expect((await hydraApi.getOAuth2Client({ id: rp.client_id })).data).to.deep.equal(await admin.getClient(rp.client_id));
    const raw = (await (await fetch(`${t.adminUrl}/admin/clients/${rp.client_id}`)).json()) as Record<string, unknown>;
    expect(raw['refresh_token_grant_access_token_lifespan'], 'an unset lifespan is null on the wire').to.equal(null);

    const subject = `both-${uid()}`;
    const browser = new Browser();
    const hop = async (url: string) => (await browser.get(url)).location ?? '';
    const challenge = challengeOf(await hop(authorizeUrl(t, rp, 'openid')), 'login_challenge');
    expect((await hydraApi.getOAuth2LoginRequest({ loginChallenge: challenge })).data).to.deep.equal(await admin.getLoginRequest(challenge));
    const login = await hydraApi.acceptOAuth2LoginRequest({ loginChallenge: challenge, acceptOAuth2LoginRequest: { subject, remember: true } });
    const consentChallenge = challengeOf(await hop(login.data.redirect_to), 'consent_challenge');
    const consent = await handleConsent(admin, consentChallenge, (r) => ({ grant_scope: r.requested_scope, remember: true }));
    const tokens = await exchangeCode(t, rp, new URL(await hop(consent.redirectTo ?? '')));

    const sessions = await hydraApi.listOAuth2ConsentSessions({ subject });
    expect(sessions.data).to.deep.equal((await admin.listConsentSessions({ subject })).sessions);
    expect(sessions.headers['x-total-count']).to.equal('1');

    const logout = new URL(await hop(`${t.publicUrl}/oauth2/sessions/logout`)).searchParams.get('logout_challenge') ?? '';
    expect((await hydraApi.getOAuth2LogoutRequest({ logoutChallenge: logout })).data).to.deep.equal(await admin.getLogoutRequest(logout));

    const introspected = await hydraApi.introspectOAuth2Token({ token: tokens.access_token });
    expect(introspected.data).to.deep.equal(await admin.introspectToken(tokens.access_token));
    expect(introspected.data).to.include({ active: true, sub: subject });
  });
});
