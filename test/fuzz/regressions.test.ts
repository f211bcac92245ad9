import { expect } from 'chai';
import { describeEachBackend } from '../helpers/databases.js';
import { useTessera } from '../helpers/tessera.js';
import { startStack, type Stack } from '../login-consent-app/support.js';
import { FUZZ_CONFIG } from './fixture.js';
import { send, type RawAnswer } from './raw-http.js';

/*
 * Crashes the fuzzer found (test/fuzz), fixed: each `it` names the request
 * and the defect. Those in issue 12's defect classes are in
 * regressions-hardening.test.ts.
 */

const raw = (base: string, method: string, path: string): Promise<RawAnswer> => send(base, { method, target: Buffer.from(path), headers: [] });

describeEachBackend('fuzz regressions', (backend) => {
  const harness = useTessera(backend, FUZZ_CONFIG);

  describe('an HTTP method no route implements (koa-router threw 501 Not Implemented, rendered as a 500 server_error)', () => {
    const cases: readonly (readonly ['public' | 'admin', string, string])[] = [
      ['public', 'PROPFIND', '/health/alive'],
      ['public', 'TRACE', '/oauth2/revoke'],
      ['public', 'PURGE', '/oauth2/sessions/logout'],
      ['admin', 'PURGE', '/admin/clients'],
      ['admin', 'TRACE', '/oauth2/auth/requests/login'],
      ['admin', 'PROPFIND', '/admin/keys/hydra.openid.id-token'],
      ['admin', 'M-SEARCH', '/no/such/route'],
    ];
    for (const [port, method, path] of cases) {
      it(`${method} ${path} on the ${port} port answers 405 method_not_allowed`, async () => {
        const res = await raw(port === 'public' ? harness.t.publicUrl : harness.t.adminUrl, method, path);
        expect(res.status, res.body).to.equal(405);
        expect(JSON.parse(res.body)).to.include({ error: 'method_not_allowed' });
      });
    }
  });
});

describe('fuzz regressions: the login-consent app', () => {
  let stack: Stack | undefined;
  before(async function () {
    this.timeout(60_000);
    stack = await startStack();
  });
  after(async () => stack?.stop());

  // koa-router's allowedMethods() answered 501 Not Implemented (a server error) for a method no route has.
  for (const [method, path] of [['PROPFIND', '/login'], ['M-SEARCH', '/consent'], ['PURGE', '/'], ['TRACE', '/logout'], ['DELETE', '/login']] as const) {
    it(`${method} ${path} answers a 405 page, not 501`, async () => {
      const res = await raw(stack?.appUrl ?? '', method, path);
      expect(res.status, res.body).to.equal(405);
      expect(res.headers['content-type']).to.match(/^text\/html/);
    });
  }
});
