import { expect } from 'chai';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TesseraAdmin, type FetchLike } from '@tessera/sdk';
import { freePort } from '../helpers/ports.js';
import { rejection } from './support.js';

/**
 * The SDK against a tiny node:http server that answers what the contract
 * does not allow, stalls, or records what it was sent: the failure paths a
 * real Tessera never takes.
 */

const CLIENT = {
  client_id: 'c1', client_name: '', client_secret_expires_at: 0, redirect_uris: [], grant_types: [], response_types: [], scope: '',
  audience: [], owner: '', policy_uri: '', tos_uri: '', client_uri: '', logo_uri: '', contacts: [], allowed_cors_origins: [], request_uris: [],
  request_object_signing_alg: '', token_endpoint_auth_method: 'none', token_endpoint_auth_signing_alg: '', userinfo_signed_response_alg: '',
  jwks_uri: '', subject_type: 'public', sector_identifier_uri: '', post_logout_redirect_uris: [], frontchannel_logout_uri: '',
  frontchannel_logout_session_required: false, backchannel_logout_uri: '', backchannel_logout_session_required: false, skip_consent: false,
  skip_logout_consent: false, metadata: {}, created_at: '2024-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z',
};

type Route = (res: ServerResponse) => void;
const json = (status: number, body: unknown, headers: Record<string, string> = {}): Route => (res) => {
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'fake-req-1', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

const ROUTES: Record<string, Route> = {
  'GET /admin/clients/wrong-shape': json(200, { client_id: 5 }),
  'GET /admin/clients/not-json': json(200, '<html>hello</html>'),
  'GET /admin/clients/bad-gateway': json(502, '<html>Bad Gateway</html>', { 'content-type': 'text/html' }),
  'GET /admin/clients/stall': () => undefined,
  'GET /admin/keys/two/k': json(200, { keys: [] }),
  'GET /admin/clients': json(200, [CLIENT]),
  'GET /gw/admin/clients': json(200, [CLIENT], {
    link: '</admin/clients?page_size=1>; rel="first",</admin/clients?page_size=1&page_token=dG9rZW4>; rel="next"',
    'x-total-count': '2',
  }),
  'GET /loop/admin/clients': json(200, [CLIENT], { link: '</admin/clients?page_token=same>; rel="next"', 'x-total-count': '9' }),
  'GET /health/ready': json(200, { status: 'ok' }),
  'GET /down/health/ready': json(503, { errors: { database: 'not reachable' } }),
};

describe('sdk: TesseraAdmin against a misbehaving server', () => {
  let server: Server;
  let base: string;
  const received: { url: string; headers: IncomingHttpHeaders }[] = [];

  before(async () => {
    server = createServer((req, res) => {
      received.push({ url: req.url ?? '', headers: req.headers });
      const route = ROUTES[`${req.method} ${(req.url ?? '').split('?')[0]}`];
      if (route) route(res);
      else json(404, { error: 'not_found' })(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses an answer that does not match the contract schema: invalid_response', async () => {
    const err = await rejection(new TesseraAdmin({ baseUrl: base }).getClient('wrong-shape'));
    expect(err).to.include({ status: 200, error: 'invalid_response', requestId: 'fake-req-1' });
    expect(err.error_description).to.contain('client_id');
    expect(err.cause).to.have.property('issues');
  });

  it('refuses a success that is not JSON, and an error without the error object', async () => {
    expect(await rejection(new TesseraAdmin({ baseUrl: base }).getClient('not-json'))).to.include({ status: 200, error: 'invalid_response' });
    const gateway = await rejection(new TesseraAdmin({ baseUrl: base }).getClient('bad-gateway'));
    expect(gateway).to.include({ status: 502, error: 'invalid_response' });
    expect(gateway.error_description).to.contain('Bad Gateway');
  });

  it('refuses a list without X-Total-Count, and a key answer without exactly one key', async () => {
    const admin = new TesseraAdmin({ baseUrl: base });
    expect((await rejection(admin.listClients())).error_description).to.contain('X-Total-Count');
    expect(await rejection(admin.getJsonWebKey('two', 'k'))).to.include({ error: 'invalid_response' });
  });

  it('keeps the base URL path and reads only the page token from Link (gateway prefix)', async () => {
    const page = await new TesseraAdmin({ baseUrl: `${base}/gw/` }).listClients({ page_size: 1 });
    expect(page).to.deep.include({ nextPageToken: 'dG9rZW4', total: 2 });
    expect(page.clients[0]?.client_id).to.equal('c1');
    expect(received.at(-1)?.url).to.equal('/gw/admin/clients?page_size=1');
  });

  it('iterateClients stops with invalid_response when the server repeats a page token', async () => {
    const seen: string[] = [];
    const err = await rejection(
      (async () => {
        for await (const client of new TesseraAdmin({ baseUrl: `${base}/loop` }).iterateClients()) seen.push(client.client_id);
      })(),
    );
    expect(err.error).to.equal('invalid_response');
    expect(seen).to.have.length(2);
  });

  it('times out after timeoutMs on a server that never answers', async () => {
    const started = Date.now();
    const err = await rejection(new TesseraAdmin({ baseUrl: base, timeoutMs: 200 }).getClient('stall'));
    expect(err).to.include({ status: 0, error: 'timeout', requestId: undefined });
    expect(Date.now() - started).to.be.within(150, 2000);
  });

  it('reports a refused connection as network_error', async () => {
    const err = await rejection(new TesseraAdmin({ baseUrl: `http://127.0.0.1:${await freePort()}` }).isReady());
    expect(err).to.include({ status: 0, error: 'network_error' });
    expect(err.error_description).to.contain('ECONNREFUSED');
  });

  it('sends the bearer token and the configured headers', async () => {
    const admin = new TesseraAdmin({ baseUrl: base, token: 'gateway-token', headers: { 'x-tenant': 'acme', Authorization: 'overridden' } });
    expect(await admin.isReady()).to.equal(true);
    const sent = received.at(-1)?.headers;
    expect(sent).to.include({ authorization: 'Bearer gateway-token', 'x-tenant': 'acme', accept: 'application/json' });
  });

  it('isReady is false on 503 with the not-ready body', async () => {
    expect(await new TesseraAdmin({ baseUrl: `${base}/down` }).isReady()).to.equal(false);
  });

  it('uses an injected fetch, with no server at all', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const fake: FetchLike = async (url, init) => {
      calls.push({ url, init });
      return new Response(JSON.stringify({ redirect_to: 'http://tessera.test/oauth2/auth?login_verifier=v' }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    };
    const admin = new TesseraAdmin({ baseUrl: 'http://tessera.test:4445', fetch: fake });
    const answer = await admin.acceptLoginRequest('ch&1', { subject: 'alice', remember: true });
    expect(answer.redirect_to).to.contain('login_verifier=v');
    expect(calls).to.have.length(1);
    expect(calls[0]?.url).to.equal('http://tessera.test:4445/admin/oauth2/auth/requests/login/accept?login_challenge=ch%261');
    expect(calls[0]?.init.method).to.equal('PUT');
    expect(JSON.parse(String(calls[0]?.init.body))).to.deep.equal({ subject: 'alice', remember: true });
    expect(new Headers(calls[0]?.init.headers).get('content-type')).to.equal('application/json');
  });

  it('sends the introspection request as a form body', async () => {
    let sent: RequestInit | undefined;
    const admin = new TesseraAdmin({
      baseUrl: 'http://tessera.test',
      fetch: async (_url, init) => {
        sent = init;
        return new Response('{"active":false}', { status: 200 });
      },
    });
    expect(await admin.introspectToken('ory_at_x', { scope: ['a', 'b'] })).to.deep.equal({ active: false });
    expect(String(sent?.body)).to.equal('token=ory_at_x&scope=a+b');
    expect(new Headers(sent?.headers).get('content-type')).to.equal('application/x-www-form-urlencoded');
  });
});
