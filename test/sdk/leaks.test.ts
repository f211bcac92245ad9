import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { TesseraAdmin, TesseraError } from '@tessera/sdk';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera } from '../helpers/tessera.js';
import { basic } from '../helpers/clients.js';
import { request } from '../helpers/http.js';

/* The SDK's leak report methods (extension, issue 18) against a started server. */

describeEachBackend('sdk: leak reports', (backend) => {
  const h = useTessera(backend);

  it('reports tokens, revoking a live one, and pages the stored reports', async () => {
    const admin = new TesseraAdmin({ baseUrl: h.t.adminUrl });
    const client = await admin.createClient({ grant_types: ['client_credentials'] });
    const issued = await request<{ access_token: string }>(h.t.publicUrl, 'POST', '/oauth2/token', {
      body: 'grant_type=client_credentials',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.client_id ?? '', client.client_secret ?? '') },
    });
    const token = issued.body.access_token;
    expect((await admin.introspectToken(token)).active).to.equal(true);

    const results = await admin.reportLeakedTokens([{ token, url: 'https://example.com/paste', source: 'paste' }, { token: 'ory_at_nothing' }]);
    expect(results.map((r) => r.outcome)).to.deep.equal(['revoked', 'not_ours']);
    expect(results[0]).to.include({ token_hash: createHash('sha256').update(token).digest('hex'), token_type: 'access_token', client_id: client.client_id, revoked_count: 1 });
    expect((await admin.introspectToken(token)).active).to.equal(false);

    const first = await admin.listLeakReports({ page_size: 1 });
    expect(first.reports).to.have.length(1);
    expect(first.nextPageToken).to.be.a('string');
    const second = await admin.listLeakReports({ page_size: 1, page_token: first.nextPageToken });
    expect(second.reports).to.have.length(1);
    expect(second.nextPageToken).to.equal(undefined);
    expect([...first.reports, ...second.reports].map((r) => r.outcome).sort()).to.deep.equal(['not_ours', 'revoked']);
    expect((await admin.listLeakReports({ client_id: client.client_id })).reports.map((r) => r.source)).to.deep.equal(['paste']);
  });

  it('a malformed report is a TesseraError invalid_request', async () => {
    const admin = new TesseraAdmin({ baseUrl: h.t.adminUrl });
    try {
      await admin.reportLeakedTokens([]);
      expect.fail('expected an error');
    } catch (err) {
      expect(err).to.be.instanceOf(TesseraError);
      expect((err as TesseraError).error).to.equal('invalid_request');
    }
  });
});
