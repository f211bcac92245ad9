import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { describeEachBackend } from '../../helpers/databases.js';
import { useTessera } from '../../helpers/tessera.js';
import { createClient } from '../../helpers/clients.js';
import { Browser } from '../../helpers/browser.js';
import { CLI, runCli } from '../../helpers/cli.js';
import { approve, DEVICE_GRANT, DEVICE_URLS } from '../../e2e/device-support.js';

/** `tessera perform device-code` running while the test approves in a "browser", reading its stderr as a user would. */
function perform(args: readonly string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, 'perform', 'device-code', ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => (clearTimeout(timer), resolve(code))));
  return { stdout: () => stdout, stderr: () => stderr, exited };
}

async function userCodeFrom(stderr: () => string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const match = /enter the code: ([A-Z]{4}-[A-Z]{4})/.exec(stderr());
    if (match?.[1]) return match[1];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no user code printed:\n${stderr()}`);
}

describeEachBackend('tessera perform device-code', (backend) => {
  const h = useTessera(backend, { ...DEVICE_URLS, oauth2: { device_authorization: { token_polling_interval: '1s' } } });

  it('prints the code and the URL, polls, and prints the tokens once the user approves (confidential client)', async () => {
    const client = await createClient(h.t.adminUrl, { grant_types: [DEVICE_GRANT, 'refresh_token'], scope: 'openid offline' });
    const run = perform(['--endpoint', h.t.publicUrl, '--client-id', client.client_id, `--client-secret=${client.client_secret}`]);
    const userCode = await userCodeFrom(run.stderr);
    expect(run.stderr()).to.contain(`To sign in, open http://login.test/device?user_code=${userCode}`);
    await approve(new Browser(), h.t, userCode, { login: { subject: 'erin' } });
    expect(await run.exited, run.stderr()).to.equal(0);
    const tokens = JSON.parse(run.stdout()) as Record<string, string>;
    expect(tokens['access_token']).to.match(/^ory_at_/);
    expect(tokens['refresh_token']).to.match(/^ory_rt_/);
    expect(tokens['id_token']).to.be.a('string');
  });

  it('reports a denial and exits 1 (public client, id from OAUTH2_CLIENT_ID)', async () => {
    const client = await createClient(h.t.adminUrl, { grant_types: [DEVICE_GRANT], token_endpoint_auth_method: 'none', scope: 'openid' });
    const run = perform(['--endpoint', h.t.publicUrl, '--scope', 'openid'], { OAUTH2_CLIENT_ID: client.client_id });
    await approve(new Browser(), h.t, await userCodeFrom(run.stderr), { rejectConsent: true });
    expect(await run.exited).to.equal(1);
    expect(run.stderr()).to.contain('sign-in failed: access_denied');
    expect(run.stdout()).to.equal('');
  });

  it('is a usage error without a client id', async () => {
    const res = await runCli(['perform', 'device-code', '--endpoint', h.t.publicUrl]);
    expect(res.code).to.equal(2);
    expect(res.stderr).to.contain('--client-id');
  });
});
