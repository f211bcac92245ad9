import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sqliteBackend } from '../../helpers/databases.js';
import { useTessera } from '../../helpers/tessera.js';

/*
 * README "Install the tessera command": `npx tessera` outside the repository
 * would fetch an unrelated npm package of that name, so the command is
 * installed globally from the checkout (`npm install -g ./server`). Checked
 * here into a temporary prefix, run from a directory outside the repository.
 */

const run = promisify(execFile);
const SERVER = fileURLToPath(new URL('../../../server/', import.meta.url));

describe('CLI: global install from the checkout', function () {
  this.timeout(120_000);
  const harness = useTessera(sqliteBackend);
  let prefix: string;
  let bin: string;

  before(async () => {
    prefix = mkdtempSync(join(tmpdir(), 'tessera-global-'));
    // --offline: installing a folder links it; nothing is fetched.
    await run('npm', ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', SERVER], { cwd: prefix });
    bin = join(prefix, 'bin', 'tessera');
  });
  after(() => rmSync(prefix, { recursive: true, force: true }));

  it('puts a working tessera on the prefix bin, linked to the checkout', async () => {
    expect(realpathSync(bin)).to.equal(join(realpathSync(SERVER), 'bin', 'tessera.js'));
    const version = JSON.parse(readFileSync(join(SERVER, 'package.json'), 'utf8')) as { version: string };
    const { stdout } = await run(bin, ['version'], { cwd: prefix, env: { PATH: process.env['PATH'] ?? '' } });
    expect(stdout.trim()).to.equal(version.version);
  });

  it('talks to a running server from outside the repository', async () => {
    const { stdout } = await run(bin, ['clients', 'create', '--endpoint', harness.t.adminUrl, '--id', 'global-cli', '--format', 'table'], { cwd: prefix, env: { PATH: process.env['PATH'] ?? '' } });
    expect(stdout).to.match(/^CLIENT ID\s+global-cli$/m);
  });
});
