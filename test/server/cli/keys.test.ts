import { expect } from 'chai';
import { describeEachBackend } from '../../helpers/databases.js';
import { useTessera } from '../../helpers/tessera.js';
import { runCli } from '../../helpers/cli.js';

/*
 * `tessera keys create|list|get|delete|rotate <set>` through the admin API;
 * only public members are printed. Rotation itself is exercised end to end
 * in test/e2e/key-rotation.test.ts.
 */

const SET = 'cli.test-set';
const PRIVATE = /"(d|p|q|dp|dq|qi)"\s*:/;

describeEachBackend('tessera keys', (backend) => {
  const h = useTessera(backend);
  const cli = (...args: string[]) => runCli(['keys', ...args, '--endpoint', h.t.adminUrl]);
  const keysIn = (stdout: string) => (JSON.parse(stdout.slice(0, stdout.lastIndexOf('}') + 1)) as { keys: Array<{ kid: string; alg: string }> }).keys;

  it('create, list, get, rotate and delete a set, printing public parts only', async function () {
    // Eleven CLI processes (a Node start-up each: seconds on a loaded machine).
    this.timeout(180_000);
    const created = await cli('create', SET, '--alg', 'ES256', '--kid', 'first');
    expect(created.code, created.stderr).to.equal(0);
    expect(created.stdout).not.to.match(PRIVATE);
    expect(keysIn(created.stdout)[0]).to.include({ kid: 'first', alg: 'ES256', kty: 'EC', crv: 'P-256', use: 'sig' });

    expect((await cli('create', SET, '--alg', 'EdDSA')).code).to.equal(0);
    const rotated = await cli('rotate', SET);
    expect(rotated.code, rotated.stderr).to.equal(0);
    expect(keysIn(rotated.stdout).map((k) => k.alg).sort()).to.deep.equal(['ES256', 'EdDSA']);
    expect(rotated.stdout).not.to.match(PRIVATE);

    const listed = await cli('list', SET);
    expect(listed.code).to.equal(0);
    expect(keysIn(listed.stdout)).to.have.length(4);
    expect(listed.stdout).not.to.match(PRIVATE);

    const got = await cli('get', SET, 'first');
    expect(keysIn(got.stdout).map((k) => k.kid)).to.deep.equal(['first']);
    expect(got.stdout).not.to.match(PRIVATE);

    const deleted = await cli('delete', SET, 'first');
    expect(deleted.stdout).to.include(`deleted ${SET}/first`);
    expect((await cli('get', SET, 'first')).code).to.equal(1);
    expect((await cli('delete', SET)).code).to.equal(0);
    expect((await cli('list', SET)).code).to.equal(1);
  });

  it('usage errors: no set, unknown action, create without --alg, rotate of a set without private keys', async function () {
    this.timeout(120_000);
    expect((await cli('list')).code).to.equal(2);
    expect((await cli('spin', SET)).code).to.equal(2);
    expect((await cli('create', SET)).code).to.equal(2);
    const refused = await cli('create', SET, '--alg', 'HS256');
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.include('400');
    expect((await cli('rotate', 'no.such-set')).code).to.equal(1);
  });
});
