import { expect } from 'chai';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera } from '../helpers/tessera.js';
import { createClient, type CreatedClient } from '../helpers/clients.js';
import { Browser } from '../helpers/browser.js';
import { request } from '../helpers/http.js';
import { approve, deviceAuth, DEVICE_GRANT, DEVICE_URLS, poll } from './device-support.js';

/*
 * Issue 18 with RFC 8628: a reported `ory_dc_` device code. Before approval
 * it is a device authorization request, not yet a token row: the request
 * is denied, so whoever holds the code gets access_denied instead of the
 * user's tokens. After approval it is the grant's token row: the family goes.
 */

describeEachBackend('leaked device codes', (backend) => {
  const h = useTessera(backend, { ...DEVICE_URLS, oauth2: { device_authorization: { token_polling_interval: '1s' } } });
  let tv: CreatedClient;
  const report = (token: string) => request<Array<Record<string, unknown>>>(h.t.adminUrl, 'POST', '/admin/oauth2/tokens/leaked', { json: [{ token }] });

  before(async () => {
    tv = await createClient(h.t.adminUrl, { grant_types: [DEVICE_GRANT, 'refresh_token'], token_endpoint_auth_method: 'none', scope: 'openid offline_access' });
  });

  it('a pending device code: the request is denied, the device gets access_denied, a second report finds it inactive', async () => {
    const started = await deviceAuth(h.t, tv, { scope: 'openid offline_access' });
    expect(started.status, started.text).to.equal(200);
    const first = await report(started.body.device_code);
    expect(first.status, first.text).to.equal(200);
    expect(first.body[0]).to.include({ outcome: 'revoked', token_type: 'device_code', client_id: tv.client_id });
    const polled = await poll(h.t, tv, started.body.device_code);
    expect(polled.status, polled.text).to.equal(403);
    expect(polled.body.error).to.equal('access_denied');
    expect((await report(started.body.device_code)).body[0]).to.include({ outcome: 'already_inactive' });
  });

  it('an approved device code not yet exchanged: its grant is revoked, the device gets no tokens', async () => {
    const started = await deviceAuth(h.t, tv, { scope: 'openid offline_access' });
    await approve(new Browser(), h.t, started.body.user_code);
    const res = await report(started.body.device_code);
    expect(res.body[0]).to.include({ outcome: 'revoked', token_type: 'device_code', client_id: tv.client_id });
    const listed = await request<Array<Record<string, unknown>>>(h.t.adminUrl, 'GET', `/admin/oauth2/tokens/leaked?client_id=${tv.client_id}`);
    expect(listed.body.find((r) => r['id'] === res.body[0]?.['report_id'])).to.include({ subject: 'user-1', outcome: 'revoked' });
    const polled = await poll(h.t, tv, started.body.device_code);
    expect(polled.status, polled.text).to.be.oneOf([400, 403]);
    expect(polled.body).not.to.have.property('access_token');
  });

  it('after the exchange the device code is used (already_inactive); its access token revokes the grant', async () => {
    const started = await deviceAuth(h.t, tv, { scope: 'openid offline_access' });
    await approve(new Browser(), h.t, started.body.user_code);
    await new Promise((r) => setTimeout(r, 1100));
    const tokens = await poll(h.t, tv, started.body.device_code);
    expect(tokens.status, tokens.text).to.equal(200);
    expect((await report(started.body.device_code)).body[0]).to.include({ outcome: 'already_inactive' });
    expect((await report(tokens.body.access_token ?? '')).body[0]).to.include({ outcome: 'revoked' });
    const introspected = await request<{ active: boolean }>(h.t.adminUrl, 'POST', '/admin/oauth2/introspect', {
      body: new URLSearchParams({ token: tokens.body.refresh_token ?? '' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(introspected.body.active).to.equal(false);
  });
});
