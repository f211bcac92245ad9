import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { describeEachBackend } from '../../helpers/databases.js';
import { useTessera } from '../../helpers/tessera.js';
import { request } from '../../helpers/http.js';
import { basic, createClient, form, type CreatedClient } from '../../helpers/clients.js';
import { Browser } from '../../helpers/browser.js';
import { FLOW_URLS, challengeOf, runFlow } from '../../helpers/flow.js';
import { countOf, labelValues, parseScrape, valueOf } from './prometheus-text.js';
import { createPrometheusMetrics } from '../../../server/src/metrics/prometheus.js';

/*
 * GET /admin/metrics/prometheus (issue 19): traffic of every kind, then one
 * scrape read with an independent text-format parser. Counts are exact: the
 * server is this suite's own.
 */

const REDIRECT = 'http://127.0.0.1:9999/callback';
const SUBJECT = 'metrics-subject-7d1f';

describeEachBackend('Prometheus metrics', (backend) => {
  // Process metrics on, as `serve` has them (createTessera's default registry leaves them out).
  const harness = useTessera(backend, FLOW_URLS, { metrics: createPrometheusMetrics() });
  let client: CreatedClient;
  let scrape: string;

  const token = (body: Record<string, string>, path = '/oauth2/token') =>
    request<Record<string, string>>(harness.t.publicUrl, 'POST', path, { ...form(body), headers: { ...form({}).headers, authorization: basic(client.client_id, client.client_secret) } });
  const introspect = (value: string) => request<{ active: boolean }>(harness.t.adminUrl, 'POST', '/admin/oauth2/introspect', form({ token: value }));
  const authorizeUrl = () =>
    `${harness.t.publicUrl}/oauth2/auth?${new URLSearchParams({ client_id: client.client_id, response_type: 'code', scope: 'openid offline_access read', redirect_uri: REDIRECT, state: 'state-123456', nonce: 'nonce-123456' })}`;

  before(async () => {
    const { t } = harness;
    client = await createClient(t.adminUrl, {
      grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'openid offline_access read',
      redirect_uris: [REDIRECT],
    });
    // client_credentials twice: once through the fast lane, once through koa (the trailing slash).
    const lane = await token({ grant_type: 'client_credentials', scope: 'read' });
    expect(lane.status, lane.text).to.equal(200);
    expect((await token({ grant_type: 'client_credentials', scope: 'read' }, '/oauth2/token/')).status).to.equal(200);
    expect((await token({ grant_type: 'client_credentials', scope: 'nope' })).status).to.equal(400);
    expect((await introspect(lane.body['access_token'] ?? '')).body.active).to.equal(true);
    expect((await introspect('ory_at_not-a-token')).body.active).to.equal(false);
    // A code flow (access, refresh and ID token), then a login the app rejects.
    const done = await runFlow(new Browser(), t.adminUrl, authorizeUrl(), { login: { subject: SUBJECT } });
    const code = done.searchParams.get('code') ?? '';
    const exchanged = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    expect(exchanged.status, exchanged.text).to.equal(200);
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: exchanged.body['refresh_token'] ?? '' });
    expect(refreshed.status, refreshed.text).to.equal(200);
    const start = await new Browser().get(authorizeUrl());
    const rejected = await request(t.adminUrl, 'PUT', `/admin/oauth2/auth/requests/login/reject?login_challenge=${challengeOf(start.location, 'login_challenge')}`, { json: {} });
    expect(rejected.status).to.equal(200);
    expect((await request(t.adminUrl, 'GET', `/admin/clients/${client.client_id}`)).status).to.equal(200);
    // Leak reports (issue 18 item 6): the refresh token leaked (its grant goes), a look-alike is not ours.
    const leaked = await request(t.adminUrl, 'POST', '/admin/oauth2/tokens/leaked', { json: [{ token: refreshed.body['refresh_token'] }, { token: 'ory_at_not-a-token' }] });
    expect(leaked.status, leaked.text).to.equal(200);
    const res = await request(t.adminUrl, 'GET', '/admin/metrics/prometheus');
    expect(res.status, res.text).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
    scrape = res.text;
  });

  it('counts requests by route template, method and status class (the fast lane and koa alike)', () => {
    const m = parseScrape(scrape);
    const name = 'tessera_http_request_duration_seconds';
    expect(m.get(name)?.type).to.equal('HISTOGRAM');
    expect(countOf(m, name, { route: '/oauth2/token', method: 'POST', status_class: '2xx' })).to.equal(4);
    expect(countOf(m, name, { route: '/oauth2/token', method: 'POST', status_class: '4xx' })).to.equal(1);
    expect(countOf(m, name, { route: '/admin/oauth2/introspect', method: 'POST', status_class: '2xx' })).to.equal(2);
    expect(countOf(m, name, { route: '/admin/clients/:id', method: 'GET', status_class: '2xx' })).to.equal(1);
    expect(countOf(m, name, { route: '/admin/oauth2/auth/requests/login/reject', method: 'PUT' })).to.equal(1);
  });

  it('keeps label values bounded: no client id, subject, token or raw path', () => {
    const values = labelValues(parseScrape(scrape));
    for (const secret of [client.client_id, SUBJECT, 'ory_at_', '/oauth2/token/']) {
      expect(values.filter((v) => v.includes(secret)), secret).to.deep.equal([]);
    }
  });

  it('counts tokens issued by grant type and kind', () => {
    const m = parseScrape(scrape);
    const issued = (grant_type: string, kind: string) => valueOf(m, 'tessera_tokens_issued_total', { grant_type, kind });
    expect(issued('client_credentials', 'access_token')).to.equal(2);
    expect(issued('client_credentials', 'refresh_token')).to.equal(0);
    expect(issued('authorization_code', 'access_token')).to.equal(1);
    expect(issued('authorization_code', 'refresh_token')).to.equal(1);
    expect(issued('authorization_code', 'id_token')).to.equal(1);
    expect(issued('refresh_token', 'access_token')).to.equal(1);
  });

  it('counts reported leaked tokens by outcome and channel', () => {
    const m = parseScrape(scrape);
    expect(valueOf(m, 'tessera_leaked_tokens_reported_total', { outcome: 'revoked', channel: 'admin' })).to.equal(1);
    expect(valueOf(m, 'tessera_leaked_tokens_reported_total', { outcome: 'not_ours', channel: 'admin' })).to.equal(1);
  });

  it('counts introspections as active or inactive, and login/consent outcomes', () => {
    const m = parseScrape(scrape);
    expect(valueOf(m, 'tessera_introspections_total', { result: 'active' })).to.equal(1);
    expect(valueOf(m, 'tessera_introspections_total', { result: 'inactive' })).to.equal(1);
    expect(valueOf(m, 'tessera_flow_outcomes_total', { flow: 'login', outcome: 'accepted' })).to.equal(1);
    expect(valueOf(m, 'tessera_flow_outcomes_total', { flow: 'login', outcome: 'rejected' })).to.equal(1);
    expect(valueOf(m, 'tessera_flow_outcomes_total', { flow: 'consent', outcome: 'accepted' })).to.equal(1);
  });

  it('reports the database pool, the SQLite group commit and the process', () => {
    const m = parseScrape(scrape);
    expect(m.get('tessera_db_pool_connections')?.type).to.equal('GAUGE');
    expect(valueOf(m, 'tessera_db_pool_connections', { state: 'idle' }) + valueOf(m, 'tessera_db_pool_connections', { state: 'in_use' })).to.be.greaterThan(0);
    expect(valueOf(m, 'tessera_db_pool_waiting')).to.equal(0);
    if (backend.name === 'sqlite') {
      // Every token written through the group commit: at least one batch, each of at least one write.
      expect(countOf(m, 'tessera_sqlite_group_commit_batch_size')).to.be.greaterThan(0);
      expect(countOf(m, 'tessera_sqlite_group_commit_wait_seconds')).to.equal(countOf(m, 'tessera_sqlite_group_commit_batch_size'));
    } else {
      expect(countOf(m, 'tessera_db_pool_acquire_seconds')).to.be.greaterThan(10);
      expect(countOf(m, 'tessera_sqlite_group_commit_batch_size')).to.equal(0);
    }
    expect(valueOf(m, 'process_cpu_user_seconds_total')).to.be.greaterThan(0);
    expect(m.has('nodejs_eventloop_lag_seconds')).to.equal(true);
  });
});

describeEachBackend('Prometheus metrics behind the admin guard', (backend) => {
  const TOKEN = 'metrics-admin-token-0123456789abcdefghijklmnop';
  const harness = useTessera(backend, { serve: { admin: { auth: { tokens: [createHash('sha256').update(TOKEN).digest('hex')] } } } });

  it('refuses a scrape without the admin token and answers one with it', async () => {
    const refused = await request(harness.t.adminUrl, 'GET', '/admin/metrics/prometheus');
    expect(refused.status).to.equal(401);
    const ok = await request(harness.t.adminUrl, 'GET', '/admin/metrics/prometheus', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).to.equal(200);
    expect(parseScrape(ok.text).has('tessera_http_request_duration_seconds')).to.equal(true);
  });
});
