import { expect } from 'chai';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera, type Running } from '../helpers/tessera.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { FLOW_URLS } from '../helpers/flow.js';
import { request } from '../helpers/http.js';
import { runCli } from '../helpers/cli.js';
import { basicOf, introspect, obtainTokens, token } from './tokens-helpers.js';

/*
 * Issue 15, item 3 (README "Key rotation"): `tessera keys rotate <set>`
 * publishes a new key at once but signs with it only after
 * keys.pre_publication, so a relying party that cached the JWKS at any
 * moment never meets an unknown kid; the retired key stays published until
 * every token it signed has expired (the longest configured lifetime plus
 * 5 minutes of skew), then leaves the JWKS. A fake clock drives a day.
 */

const AT_SET = 'hydra.jwt.access-token';
const ID_SET = 'hydra.openid.id-token';
const REDIRECT = 'http://127.0.0.1:9999/callback';
const HOUR = 3_600_000;
/** ttl.access_token and ttl.id_token are 1h: a retired key leaves 1h05m after its successor took over. */
const RETENTION = HOUR + 5 * 60_000;

describeEachBackend('key rotation with keys.pre_publication (fake clock)', (backend) => {
  let now = Date.UTC(2030, 0, 1);
  const clock = { now: () => now };
  const h = useTessera(backend, { ...FLOW_URLS, strategies: { access_token: 'jwt' }, keys: { pre_publication: '24h' } }, { clock });
  let t: Running;
  let service: CreatedClient;
  let webApp: CreatedClient;

  const jwks = async () => (await request<JSONWebKeySet>(t.publicUrl, 'GET', '/.well-known/jwks.json')).body;
  const kids = async () => (await jwks()).keys.map((k) => k.kid);
  const accessToken = async () => {
    const res = await token(t, { grant_type: 'client_credentials' }, basicOf(service));
    expect(res.status, res.text).to.equal(200);
    return res.body.access_token;
  };
  const idToken = async () => (await obtainTokens(t, webApp, { scope: 'openid', redirectUri: REDIRECT })).id_token ?? '';
  /** A relying party's check against a JWKS it fetched earlier (and never refreshed since), at the fake time. */
  const verifyWith = (cached: JSONWebKeySet, jwt: string) =>
    jwtVerify(jwt, createLocalJWKSet(cached), { issuer: t.config.urls.self.issuer, currentDate: new Date(now) });
  const kidOf = (jwt: string) => decodeProtectedHeader(jwt).kid;

  before(async () => {
    t = h.t;
    service = await createClient(t.adminUrl, { grant_types: ['client_credentials'] });
    webApp = await createClient(t.adminUrl, { redirect_uris: [REDIRECT], scope: 'openid' });
  });

  it('rotates both sets: old keys sign for keys.pre_publication, relying parties with any cached JWKS keep verifying, retired keys leave after their tokens expire', async () => {
    const atBefore = await accessToken();
    const idBefore = await idToken();
    const [oldAt, oldId] = [kidOf(atBefore), kidOf(idBefore)];
    const cachedBeforeRotation = await jwks();
    await verifyWith(cachedBeforeRotation, atBefore);
    await verifyWith(cachedBeforeRotation, idBefore);

    // `tessera keys rotate`: the new keys are published at once.
    for (const set of [AT_SET, ID_SET]) {
      const cli = await runCli(['keys', 'rotate', set, '--endpoint', t.adminUrl]);
      expect(cli.code, cli.stderr).to.equal(0);
      expect(cli.stdout).to.include('signs once keys.pre_publication has passed');
      expect(cli.stdout).not.to.match(/"d"\s*:/);
    }
    const published = await kids();
    expect(published).to.include.members([oldAt, oldId]);
    expect(published).to.have.length(4);

    // 23h later the old keys still sign; a relying party that cached the JWKS before the rotation verifies.
    now += 23 * HOUR;
    const atLate = await accessToken();
    const idLate = await idToken();
    expect(kidOf(atLate)).to.equal(oldAt);
    expect(kidOf(idLate)).to.equal(oldId);
    await verifyWith(cachedBeforeRotation, atLate);
    await verifyWith(cachedBeforeRotation, idLate);
    const cachedAfterRotation = await jwks();

    // A minute before the hand-over, the old keys sign tokens valid for another hour.
    now += HOUR - 60_000;
    const atEdge = await accessToken();
    const idEdge = await idToken();
    expect([kidOf(atEdge), kidOf(idEdge)]).to.deep.equal([oldAt, oldId]);

    // Past 24h the new keys sign; a relying party that refreshed any time after the rotation knows them.
    now += 61_000;
    const atNew = await accessToken();
    const idNew = await idToken();
    expect(kidOf(atNew)).not.to.equal(oldAt);
    expect(kidOf(idNew)).not.to.equal(oldId);
    await verifyWith(cachedAfterRotation, atNew);
    await verifyWith(cachedAfterRotation, idNew);
    // Tokens the old keys signed a minute ago are still valid and still verifiable against the live JWKS.
    expect(await kids()).to.include.members([oldAt, oldId]);
    await verifyWith(await jwks(), atEdge);
    await verifyWith(await jwks(), idEdge);
    expect((await introspect(t, atEdge)).active).to.equal(true);

    // Once every token the old keys signed has expired, they leave the JWKS; the new ones stay.
    now += RETENTION;
    const after = await kids();
    expect(after).not.to.include.members([oldAt]);
    expect(after).not.to.include(oldId);
    expect(after).to.include.members([kidOf(atNew), kidOf(idNew)]);
    expect(after).to.have.length(2);
    await verifyWith(await jwks(), await accessToken());
    // Still in the admin API (and still able to check an old id_token_hint): retiring is not deleting.
    const stored = (await request<JSONWebKeySet>(t.adminUrl, 'GET', `/admin/keys/${AT_SET}`)).body.keys.map((k) => k.kid);
    expect(stored).to.include(oldAt);
  });
});
