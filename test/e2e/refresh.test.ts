import { expect } from 'chai';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera, type Running } from '../helpers/tessera.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { FLOW_URLS } from '../helpers/flow.js';
import { request } from '../helpers/http.js';
import { expectError, introspect, obtainTokens, refresh, revoke, TOKEN_FORMAT, type TokenBody } from './tokens-helpers.js';

/*
 * The refresh_token grant (RFC 6749 §6) with rotation and reuse detection
 * (RFC 9700 §4.14.2, DESIGN.md § Tokens): every use returns a new pair, a
 * used refresh token presented again revokes the whole family.
 */

const REDIRECT = 'http://127.0.0.1:9999/callback';
const SCOPE = 'openid offline_access email';

const scopes = (scope: unknown): string[] => (typeof scope === 'string' ? scope.split(' ').sort() : []);

describeEachBackend('refresh token grant', (backend) => {
  const harness = useTessera(backend, FLOW_URLS);
  let t: Running;
  let client: CreatedClient;
  let clientB: CreatedClient;

  const registration = { redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'], scope: `${SCOPE} profile` };
  const fresh = (c: CreatedClient = client): Promise<TokenBody> => obtainTokens(t, c, { scope: SCOPE, redirectUri: REDIRECT });
  const refreshOk = async (c: CreatedClient, rt: string, extra: Record<string, string> = {}): Promise<TokenBody> => {
    const res = await refresh(t, c, rt, extra);
    expect(res.status, res.text).to.equal(200);
    return res.body;
  };

  before(async () => {
    t = harness.t;
    client = await createClient(t.adminUrl, registration);
    clientB = await createClient(t.adminUrl, registration);
  });

  describe('rotation', () => {
    it('returns a new access and refresh token and retires the old pair', async () => {
      const first = await fresh();
      const res = await refresh(t, client, first.refresh_token ?? '');
      expect(res.status, res.text).to.equal(200);
      expect(res.headers.get('cache-control')).to.equal('no-store');
      const second = res.body;
      expect(second.access_token).to.match(TOKEN_FORMAT).and.match(/^ory_at_/);
      expect(second.refresh_token).to.match(TOKEN_FORMAT).and.match(/^ory_rt_/);
      expect(second.access_token).not.to.equal(first.access_token);
      expect(second.refresh_token).not.to.equal(first.refresh_token);
      expect(second).to.include({ token_type: 'bearer', expires_in: 3600 });
      expect(scopes(second.scope)).to.deep.equal(scopes(SCOPE));

      // The old access token dies with the rotation; the old refresh token is used up.
      expect(await introspect(t, first.access_token)).to.deep.equal({ active: false });
      expect(await introspect(t, first.refresh_token ?? '')).to.deep.equal({ active: false });
      expect((await introspect(t, second.access_token)).active).to.equal(true);
      expect((await introspect(t, second.refresh_token ?? '')).active).to.equal(true);
    });

    it('revokes the whole family when an old refresh token comes back', async () => {
      const first = await fresh();
      const second = await refreshOk(client, first.refresh_token ?? '');
      const third = await refreshOk(client, second.refresh_token ?? '');

      expectError(await refresh(t, client, first.refresh_token ?? ''), 400, 'invalid_grant', 'reused refresh token');

      expect(await introspect(t, third.access_token)).to.deep.equal({ active: false });
      expect(await introspect(t, third.refresh_token ?? '')).to.deep.equal({ active: false });
      expectError(await refresh(t, client, third.refresh_token ?? ''), 400, 'invalid_grant', 'newest refresh token after reuse');
    });

    it('leaves other families alone when one is revoked for reuse', async () => {
      const victim = await fresh();
      const bystander = await fresh();
      await refreshOk(client, victim.refresh_token ?? '');
      expectError(await refresh(t, client, victim.refresh_token ?? ''), 400, 'invalid_grant', 'reuse');
      expect((await introspect(t, bystander.access_token)).active).to.equal(true);
      await refreshOk(client, bystander.refresh_token ?? '');
    });
  });

  describe('scope (RFC 6749 §6)', () => {
    it('narrows the access token to a requested subset and keeps the original grant for the next refresh', async () => {
      const first = await fresh();
      const narrow = await refreshOk(client, first.refresh_token ?? '', { scope: 'openid' });
      expect(narrow.scope).to.equal('openid');
      expect((await introspect(t, narrow.access_token)).scope).to.equal('openid');
      expect(narrow.refresh_token, 'the grant still has offline_access').to.match(/^ory_rt_/);

      const next = await refreshOk(client, narrow.refresh_token ?? '');
      expect(scopes(next.scope)).to.deep.equal(scopes(SCOPE));
      expect(scopes((await introspect(t, next.access_token)).scope)).to.include('offline_access');
      expect(next.refresh_token).to.match(/^ory_rt_/);
    });

    it('refuses a scope beyond the grant with invalid_scope, even one the client may request', async () => {
      const first = await fresh();
      for (const scope of ['openid profile', 'profile', 'admin']) {
        expectError(await refresh(t, client, first.refresh_token ?? '', { scope }), 400, 'invalid_scope', scope);
      }
      // A refused request does not spend the refresh token.
      await refreshOk(client, first.refresh_token ?? '');
    });
  });

  describe('binding and revocation', () => {
    it('refuses client A\'s refresh token used by client B', async () => {
      const tokens = await fresh();
      expectError(await refresh(t, clientB, tokens.refresh_token ?? ''), 400, 'invalid_grant', 'client B');
    });

    it('refuses a refresh token revoked by its client, whose family\'s access tokens die with it', async () => {
      const tokens = await fresh();
      await revoke(t, client, tokens.refresh_token ?? '');
      expect(await introspect(t, tokens.access_token)).to.deep.equal({ active: false });
      expect(await introspect(t, tokens.refresh_token ?? '')).to.deep.equal({ active: false });
      expectError(await refresh(t, client, tokens.refresh_token ?? ''), 400, 'invalid_grant', 'revoked refresh token');
    });

    it('refuses a forged, an access token or a garbage value as refresh token', async () => {
      const tokens = await fresh();
      const [random = '', signature = ''] = (tokens.refresh_token ?? '').slice('ory_rt_'.length).split('.');
      const flipped = `ory_rt_${random.slice(0, -1)}${random.endsWith('A') ? 'B' : 'A'}.${signature}`;
      for (const rt of [flipped, tokens.access_token, `ory_at_${random}.${signature}`, 'garbage']) {
        expectError(await refresh(t, client, rt), 400, 'invalid_grant', rt);
      }
    });
  });

  describe('race', () => {
    // Three rounds: on SQLite one process serialises the queries, so a single
    // round does not always interleave reads and the consuming UPDATE.
    for (const round of [1, 2, 3]) {
      it(`gives exactly one of 20 parallel refreshes a 200, and the second uses revoke the family (round ${round})`, async () => {
        const tokens = await fresh();
        const answers = await Promise.all(Array.from({ length: 20 }, () => refresh(t, client, tokens.refresh_token ?? '')));
        const statuses = answers.map((a) => a.status);
        expect(statuses, JSON.stringify(answers.map((a) => a.text))).not.to.include(500);
        const winners = answers.filter((a) => a.status === 200);
        expect(winners, JSON.stringify(statuses)).to.have.length(1);
        for (const loser of answers.filter((a) => a.status !== 200)) expectError(loser, 400, 'invalid_grant', 'loser');

        // Every loser is a second use of the token: the family is revoked,
        // the winner's pair included (README, "Token endpoint grants").
        const won = winners[0]?.body as TokenBody;
        expect((await introspect(t, won.access_token)).active, "the winner's access token").to.equal(false);
        expectError(await refresh(t, client, won.refresh_token ?? ''), 400, 'invalid_grant', "the winner's refresh token");
      });
    }
  });

  describe('per-client lifespans', () => {
    it('uses refresh_token_grant_access_token_lifespan for access tokens minted by a refresh', async () => {
      const short = await createClient(t.adminUrl, registration);
      const put = await request(t.adminUrl, 'PUT', `/admin/clients/${encodeURIComponent(short.client_id)}/lifespans`, {
        json: { refresh_token_grant_access_token_lifespan: '5m' },
      });
      expect(put.status, put.text).to.equal(200);

      const first = await fresh(short);
      expect(first.expires_in, 'the code exchange keeps the default').to.equal(3600);
      const refreshed = await refreshOk(short, first.refresh_token ?? '');
      expect(refreshed.expires_in).to.equal(300);
      const info = await introspect(t, refreshed.access_token);
      expect(Number(info['exp']) - Number(info['iat'])).to.equal(300);
    });
  });
});
