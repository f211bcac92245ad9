import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { CLI, runCli, type CliResult } from '../../helpers/cli.js';
import { FIXTURE_SECRET, FIXTURES, expected } from '../../scanners/fixtures.js';

/*
 * `tessera scan` on its own (issue 18, item 3): what it reads and skips,
 * how it classifies without a database, its output formats and exit codes.
 * Reporting to a running server is in test/e2e/leaked-tokens.test.ts.
 */

const tokens = (expected['plain.txt'] ?? []).map((e) => e.token);
const [at = '', rt = ''] = tokens;
const WITH_SECRET = { SECRETS_SYSTEM: FIXTURE_SECRET };
const OTHER_SECRET = { SECRETS_SYSTEM: 'a-secret-that-did-not-sign-the-fixtures-0123' };

function withStdin(args: string[], input: string, env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'scan', ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('cli: tessera scan', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-scan-'));
    mkdirSync(join(dir, 'src'));
    mkdirSync(join(dir, 'node_modules', 'dep'), { recursive: true });
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, 'src', 'config.json'), `{"token": "${at}"}\n`);
    writeFileSync(join(dir, 'node_modules', 'dep', 'index.js'), `var t = "${rt}";\n`);
    writeFileSync(join(dir, '.git', 'COMMIT_EDITMSG'), `${rt}\n`);
    writeFileSync(join(dir, 'image.bin'), Buffer.concat([Buffer.from([0x89, 0x50, 0x00, 0x01]), Buffer.from(rt)]));
    symlinkSync(join(dir, 'src'), join(dir, 'loop'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('walks directories, skipping node_modules, .git, binaries and symbolic links; classifies with the secret', async () => {
    const res = await runCli(['scan', dir], { env: WITH_SECRET });
    expect(res.code, res.stderr).to.equal(1);
    expect(res.stdout).to.equal(`${join(dir, 'src', 'config.json')}:1:12: authentic access_token ${at.slice(0, 11)}…\n`);
    expect(res.stderr).to.include(`skipped ${join(dir, 'image.bin')}: binary`);
    expect(res.stderr).to.include('1 token(s): 1 authentic, 0 forged, 0 unverified; 1 file(s) skipped');
    expect(res.stdout + res.stderr).not.to.include(at);
  });

  it('forged tokens only: exit 0; no secret: unverified, exit 1 (nothing can be ruled out)', async () => {
    const forged = await runCli(['scan', join(FIXTURES, 'plain.txt')], { env: OTHER_SECRET });
    expect(forged.code).to.equal(0);
    expect(forged.stdout.trim().split('\n')).to.have.length(4);
    expect(forged.stdout).to.match(/plain\.txt:2:3: forged access_token ory_at_AaI0…/);
    const none = await runCli(['scan', join(FIXTURES, 'plain.txt')]);
    expect(none.code).to.equal(1);
    expect(none.stdout).to.include('unverified device_code ory_dc_');
    expect(none.stderr).to.include('no system secret');
  });

  it('finds nothing in the look-alikes: exit 0', async () => {
    const res = await runCli(['scan', join(FIXTURES, 'lookalikes.txt')], { env: WITH_SECRET });
    expect({ code: res.code, stdout: res.stdout }).to.deep.equal({ code: 0, stdout: '' });
  });

  it('reads standard input without a path', async () => {
    const res = await withStdin([], readFileSync(join(FIXTURES, 'bundle.min.js'), 'utf8'), WITH_SECRET);
    expect(res.code, res.stderr).to.equal(1);
    expect(res.stdout.trim().split('\n')).to.deep.equal([
      `<stdin>:1:20: authentic access_token ${(expected['bundle.min.js'] ?? [])[0]?.token.slice(0, 11)}…`,
      `<stdin>:1:122: authentic refresh_token ${(expected['bundle.min.js'] ?? [])[1]?.token.slice(0, 11)}…`,
    ]);
  });

  it('--format sarif: SARIF 2.1.0 with one rule per kind, a result per token, never the token', async () => {
    const res = await runCli(['scan', '--format', 'sarif', FIXTURES], { env: WITH_SECRET, cwd: FIXTURES });
    expect(res.code, res.stderr).to.equal(1);
    const sarif = JSON.parse(res.stdout) as { version: string; runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: Array<Record<string, unknown>> }> };
    expect(sarif.version).to.equal('2.1.0');
    const run = sarif.runs[0];
    expect(run?.tool.driver.rules.map((r) => r.id)).to.deep.equal(['access_token', 'refresh_token', 'authorization_code', 'device_code']);
    const env = run?.results.filter((r) => JSON.stringify(r).includes('"app.env"')) ?? [];
    expect(env).to.have.length(2);
    expect(env[0]).to.deep.include({ ruleId: 'refresh_token', level: 'error' });
    expect(env[0]?.['locations']).to.deep.equal([{ physicalLocation: { artifactLocation: { uri: 'app.env' }, region: { startLine: 3, startColumn: 15 } } }]);
    for (const token of Object.values(expected).flat()) expect(res.stdout).not.to.include(token.token);
  });

  it('refuses an unknown format (exit 2) and reports an unreachable admin API (exit 1)', async () => {
    const bad = await runCli(['scan', '--format', 'xml', FIXTURES]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include('--format must be text or sarif');
    const down = await runCli(['scan', '--report', '--endpoint', 'http://127.0.0.1:9', join(FIXTURES, 'plain.txt')], { env: WITH_SECRET });
    expect(down.code).to.equal(1);
    expect(down.stderr).to.match(/^error: /m);
    expect(down.stderr).not.to.include(at);
  });
});
