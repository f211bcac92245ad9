import { expect } from 'chai';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera, type Running } from '../helpers/tessera.js';
import { createClient, form } from '../helpers/clients.js';
import { FLOW_URLS } from '../helpers/flow.js';
import { request, type Answer } from '../helpers/http.js';

/*
 * Issue 19, item 6: an error the authorization or logout endpoint cannot send
 * to a trusted redirect URI, with urls.error unset, is a page for a browser
 * (Accept: text/html) and stays JSON for everyone else.
 */

const REDIRECT = 'https://client.example/cb';
const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const UNREGISTERED = { client_id: 'error-pages', redirect_uri: 'https://elsewhere.example/cb', response_type: 'code', scope: 'openid', state: 'state-0123456789' };
const LOGOUT = { client_id: 'error-pages', post_logout_redirect_uri: 'https://elsewhere.example/bye' };

function get(t: Running, path: string, params: Record<string, string>, accept?: string): Promise<Answer<unknown>> {
  return request(t.publicUrl, 'GET', `${path}?${new URLSearchParams(params).toString()}`, { headers: accept === undefined ? {} : { accept } });
}

/** The page: error, escaped description and request id, with the headers of every page Tessera renders. */
function expectPage(res: Answer<unknown>, error: string, description: RegExp): void {
  expect(res.status, res.text).to.equal(400);
  expect(res.headers.get('content-type')).to.equal('text/html; charset=utf-8');
  expect(res.headers.get('content-security-policy')).to.include("default-src 'none'").and.include("frame-ancestors 'none'").and.not.include('script-src');
  expect(res.headers.get('x-frame-options')).to.equal('DENY');
  expect(res.headers.get('referrer-policy')).to.equal('no-referrer');
  expect(res.headers.get('cache-control')).to.equal('no-store');
  expect(res.text).to.match(/^<!doctype html>/);
  expect(res.text).to.include(`<code id="error">${error}</code>`);
  expect(res.text).to.match(description);
  expect(res.text).to.include(`<code id="request-id">${res.headers.get('x-request-id')}</code>`);
  expect(res.text).not.to.match(/<script/i);
}

function expectJson(res: Answer<unknown>, error: string): void {
  expect(res.status, res.text).to.equal(400);
  expect(res.headers.get('content-type')).to.equal('application/json; charset=utf-8');
  expect(res.body).to.include({ error });
}

describeEachBackend('HTML error pages (issue 19, item 6)', (backend) => {
  describe('urls.error not set', () => {
    const h = useTessera(backend, FLOW_URLS);
    before(async () => {
      await createClient(h.t.adminUrl, { client_id: 'error-pages', redirect_uris: [REDIRECT], post_logout_redirect_uris: ['https://client.example/bye'] });
    });

    it('GET and POST /oauth2/auth with an unregistered redirect_uri: a page for a browser, every value HTML-escaped', async () => {
      // The description's apostrophe ("client's") shows the escaping at work.
      expectPage(await get(h.t, '/oauth2/auth', UNREGISTERED, BROWSER), 'invalid_request', /<p id="error-description">[^<]*client&#39;s registered redirect URIs/);
      const { body, headers } = form(UNREGISTERED);
      const posted = await request(h.t.publicUrl, 'POST', '/oauth2/auth', { body, headers: { ...headers, accept: 'text/html' } });
      expectPage(posted, 'invalid_request', /client&#39;s registered redirect URIs/);
    });

    it('GET /oauth2/sessions/logout with an unregistered post_logout_redirect_uri: a page for a browser', async () => {
      expectPage(await get(h.t, '/oauth2/sessions/logout', LOGOUT, BROWSER), 'invalid_request', /<p id="error-description">[^<]*post_logout_redirect_uri[^<]*<\/p>/);
    });

    it('API clients (no text/html in Accept, */* or text/html;q=0) keep the JSON error', async () => {
      for (const accept of [undefined, 'application/json', '*/*', 'text/html;q=0, application/json']) {
        expectJson(await get(h.t, '/oauth2/auth', UNREGISTERED, accept), 'invalid_request');
        expect((await get(h.t, '/oauth2/sessions/logout', LOGOUT, accept)).headers.get('content-type'), String(accept)).to.equal('application/json; charset=utf-8');
      }
    });

    it('other endpoints keep JSON even for text/html (the token endpoint is no browser page)', async () => {
      const res = await request(h.t.publicUrl, 'POST', '/oauth2/token', { body: 'grant_type=nope', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' } });
      expect(res.headers.get('content-type')).to.equal('application/json; charset=utf-8');
    });

    it('a trusted redirect URI still gets the error redirect, not a page', async () => {
      const res = await get(h.t, '/oauth2/auth', { ...UNREGISTERED, redirect_uri: REDIRECT, response_type: 'bogus' }, BROWSER);
      expect(res.status, res.text).to.equal(302);
      expect(res.headers.get('location')).to.match(/^https:\/\/client\.example\/cb\?error=unsupported_response_type/);
    });
  });

  describe('urls.error set', () => {
    const h = useTessera(backend, { urls: { ...FLOW_URLS.urls, error: 'https://login.example/error' } });
    before(async () => {
      await createClient(h.t.adminUrl, { client_id: 'error-pages', redirect_uris: [REDIRECT] });
    });

    it('the browser is sent to urls.error, as before', async () => {
      const res = await get(h.t, '/oauth2/auth', UNREGISTERED, BROWSER);
      expect(res.status, res.text).to.equal(302);
      expect(res.headers.get('location')).to.match(/^https:\/\/login\.example\/error\?error=invalid_request&/);
    });
  });
});
