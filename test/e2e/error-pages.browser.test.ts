import { expect } from 'chai';
import { sqliteBackend } from '../helpers/databases.js';
import { useTessera } from '../helpers/tessera.js';
import { createClient } from '../helpers/clients.js';
import { FLOW_URLS } from '../helpers/flow.js';
import { browserSkipReason, openBrowser, screenshot, type Browser } from '../login-consent-app/browser.js';

/*
 * Issue 19, item 6, in Chromium (JavaScript off, as the page needs none): a
 * user who follows an authorization link with an unregistered redirect_uri
 * reads an error page, stays on Tessera's URL, and can quote the request id.
 */

describe('HTML error page in Chromium (issue 19, item 6) [sqlite]', function () {
  this.timeout(60_000);
  const h = useTessera(sqliteBackend, FLOW_URLS);
  let browser: Browser | undefined;

  before(async function () {
    if (browserSkipReason) {
      console.warn(`\n  ⚠ skipping: ${browserSkipReason}\n`);
      this.skip();
    }
    await createClient(h.t.adminUrl, { client_id: 'error-page-browser', redirect_uris: ['https://client.example/cb'] });
    browser = await openBrowser();
  });
  after(async () => browser?.close());

  it('shows error, description and request id, and is not redirected', async () => {
    const page = browser!.page;
    const params = new URLSearchParams({ client_id: 'error-page-browser', redirect_uri: 'https://attacker.example/cb', response_type: 'code', scope: 'openid', state: 's-0123456789' });
    const url = `${h.t.publicUrl}/oauth2/auth?${params.toString()}`;
    const res = await page.goto(url);
    expect(res?.status()).to.equal(400);
    expect(page.url()).to.equal(url);
    expect(await page.title()).to.equal('Error: invalid_request');
    expect(await page.textContent('h1')).to.equal('The request could not be completed');
    expect(await page.textContent('#error')).to.equal('invalid_request');
    expect(await page.textContent('#error-description')).to.include("does not match any of the client's registered redirect URIs");
    expect(await page.textContent('#request-id')).to.equal(await res?.headerValue('x-request-id'));
    await screenshot(page, 'tessera-error-page');
  });
});
