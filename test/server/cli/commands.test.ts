import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, runCli } from '../../helpers/cli.js';
import { describeEachBackend } from '../../helpers/databases.js';
import { useTessera } from '../../helpers/tessera.js';
import { freePort } from '../../helpers/ports.js';
import { Browser } from '../../helpers/browser.js';
import { FLOW_URLS, runFlow } from '../../helpers/flow.js';

/*
 * The Hydra-style commands (issue 19) against a running server: clients
 * create|get|list|update|delete|import, introspect token, revoke token,
 * perform client-credentials and authorization-code (its browser part
 * played by the flow helpers), --format table, --help per command.
 */

type Json = Record<string, unknown>;
const parse = (text: string) => JSON.parse(text) as Json;

describeEachBackend('CLI: Hydra-style commands', (backend) => {
  const harness = useTessera(backend, FLOW_URLS);
  let dir: string;
  // Each command is a process of its own: a second or more on a loaded machine.
  beforeEach(function () {
    this.currentTest?.timeout(120_000);
  });
  const admin = () => ['--endpoint', harness.t.adminUrl];
  const pub = () => ['--endpoint', harness.t.publicUrl];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('clients create, get (table), update (only the named fields), list and delete', async () => {
    const created = await runCli(['clients', 'create', ...admin(), '--id', 'app-1', '--name', 'First', '--grant-type', 'client_credentials', '--scope', 'read write', '--redirect-uri', 'http://127.0.0.1:9/cb', '--metadata', '{"team":"ops"}']);
    expect(created.code, created.stderr).to.equal(0);
    expect(parse(created.stdout)).to.include({ client_id: 'app-1', client_name: 'First' });

    const renamed = await runCli(['clients', 'update', 'app-1', ...admin(), '--name', 'Renamed']);
    expect(renamed.code, renamed.stderr).to.equal(0);
    const after = parse(renamed.stdout);
    expect(after).to.include({ client_name: 'Renamed', scope: 'read write' });
    expect(after['redirect_uris']).to.deep.equal(['http://127.0.0.1:9/cb']);
    expect(after['metadata']).to.deep.equal({ team: 'ops' });

    const table = await runCli(['clients', 'get', 'app-1', ...admin(), '--format', 'table']);
    expect(table.code, table.stderr).to.equal(0);
    expect(table.stdout).to.match(/^CLIENT ID\s+app-1$/m).and.match(/^NAME\s+Renamed$/m).and.match(/^GRANT TYPES\s+client_credentials$/m);

    const listed = await runCli(['clients', 'list', ...admin(), '--format', 'table']);
    expect(listed.stdout.split('\n')[0]).to.match(/^CLIENT ID\s+NAME\s+GRANT TYPES/);
    expect(listed.stdout).to.match(/^app-1\s+Renamed\s+client_credentials/m);

    expect((await runCli(['clients', 'update', 'app-1', ...admin()])).code).to.equal(2);
    const deleted = await runCli(['clients', 'delete', 'app-1', ...admin()]);
    expect(deleted.stdout).to.equal('deleted app-1\n');
    const gone = await runCli(['clients', 'get', 'app-1', ...admin()]);
    expect(gone.code).to.equal(1);
    expect(gone.stderr).to.match(/admin API answered 404/);
  });

  it('clients import reads Hydra client JSON files, checks all of them before creating any', async () => {
    const many = join(dir, 'many.json');
    const one = join(dir, 'one.json');
    const bad = join(dir, 'bad.json');
    writeFileSync(many, JSON.stringify([{ client_id: 'imp-1', grant_types: ['client_credentials'] }, { client_id: 'imp-2', client_name: 'Two' }]));
    writeFileSync(one, JSON.stringify({ client_id: 'imp-3', scope: 'read' }));
    writeFileSync(bad, JSON.stringify([{ client_id: 'imp-4' }, { client_id: 'imp-5', redirect_uris: 'not-a-list' }]));

    const refused = await runCli(['clients', 'import', one, bad, ...admin()]);
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.include(`${bad}[1]: redirect_uris`);
    // Nothing was created: not even imp-3, which came first.
    expect((await runCli(['clients', 'get', 'imp-3', ...admin()])).code).to.equal(1);

    const imported = await runCli(['clients', 'import', many, one, ...admin()]);
    expect(imported.code, imported.stderr).to.equal(0);
    const clients = JSON.parse(imported.stdout) as Json[];
    expect(clients.map((c) => c['client_id'])).to.deep.equal(['imp-1', 'imp-2', 'imp-3']);
    expect(clients.every((c) => typeof c['client_secret'] === 'string')).to.equal(true);

    // A conflict on one is reported; the others are still created; exit 1.
    writeFileSync(one, JSON.stringify([{ client_id: 'imp-3' }, { client_id: 'imp-6' }]));
    const partial = await runCli(['clients', 'import', one, ...admin()]);
    expect(partial.code).to.equal(1);
    expect(partial.stderr).to.match(/\[0\]: admin API answered 409/).and.include('imported 1 of 2 clients; 1 failed');
    expect((await runCli(['clients', 'get', 'imp-6', ...admin()])).code).to.equal(0);
  });

  it('perform client-credentials, introspect token and revoke token', async () => {
    const created = parse((await runCli(['clients', 'create', ...admin(), '--grant-type', 'client_credentials', '--scope', 'read'])).stdout);
    const id = String(created['client_id']);
    const secret = String(created['client_secret']);
    const issued = await runCli(['perform', 'client-credentials', ...pub(), '--client-id', id, '--scope', 'read'], { env: { TESSERA_CLIENT_SECRET: secret } });
    expect(issued.code, issued.stderr).to.equal(0);
    const token = String(parse(issued.stdout)['access_token']);
    expect(token).to.match(/^ory_at_/);

    const active = await runCli(['introspect', 'token', token, ...admin(), '--format', 'table']);
    expect(active.code, active.stderr).to.equal(0);
    expect(active.stdout).to.match(/^ACTIVE\s+true$/m).and.match(new RegExp(`^CLIENT ID\\s+${id}$`, 'm')).and.match(/^SCOPE\s+read$/m);

    // = form: a generated secret may start with '-', which parseArgs would take for an option.
    const revoked = await runCli(['revoke', 'token', token, ...pub(), '--client-id', id, `--client-secret=${secret}`]);
    expect(revoked.code, revoked.stderr).to.equal(0);
    expect(revoked.stdout).to.equal('token revoked\n');
    const inactive = await runCli(['introspect', 'token', token, ...admin()]);
    expect(parse(inactive.stdout)).to.deep.equal({ active: false });

    const wrong = await runCli(['perform', 'client-credentials', ...pub(), '--client-id', id, '--client-secret', 'wrong']);
    expect(wrong.code).to.equal(1);
    expect(wrong.stderr).to.match(/public API answered 401: invalid_client/);
  });

  it('perform authorization-code: prints the URL, takes the callback on loopback, exchanges the code', async () => {
    const port = await freePort();
    const redirect = `http://127.0.0.1:${port}/callback`;
    const created = parse((await runCli(['clients', 'create', ...admin(), '--grant-type', 'authorization_code', '--grant-type', 'refresh_token', '--scope', 'openid offline_access', '--redirect-uri', redirect])).stdout);
    const child = spawn(process.execPath, [CLI, 'perform', 'authorization-code', ...pub(), '--client-id', String(created['client_id']), '--port', String(port)], {
      env: { PATH: process.env['PATH'] ?? '', TESSERA_CLIENT_SECRET: String(created['client_secret']) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const found = /^ {2}(http:\/\/\S+\/oauth2\/auth\?\S+)$/m.exec(stderr);
        if (found?.[1] && stderr.includes('Waiting for the callback')) resolve(found[1]);
      });
      child.on('close', () => reject(new Error(`exited before printing a URL: ${stderr}`)));
    });
    const authorize = new URL(url);
    expect(authorize.searchParams.get('code_challenge_method')).to.equal('S256');
    expect(authorize.searchParams.get('redirect_uri')).to.equal(redirect);

    // A callback with another state is refused, and the command keeps waiting.
    const forged = await fetch(`${redirect}?code=x&state=forged`);
    expect(forged.status).to.equal(400);
    const callback = await runFlow(new Browser(), harness.t.adminUrl, url);
    expect(callback.origin + callback.pathname).to.equal(redirect);
    const landed = await fetch(callback);
    expect(landed.status).to.equal(200);
    expect(await landed.text()).to.include('You may close this window');
    expect(await exited, stderr).to.equal(0);
    const tokens = parse(stdout);
    expect(tokens['access_token']).to.match(/^ory_at_/);
    expect(tokens['refresh_token']).to.match(/^ory_rt_/);
    expect(tokens['id_token']).to.be.a('string');
  });
});

describe('CLI: checks before any request, failures in one line, help per command', function () {
  this.timeout(120_000);
  let server: Server;
  let hits = 0;
  let endpoint: string;

  before(async () => {
    server = createServer((_req, res) => {
      hits++;
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('refuses bad numbers, enums and fields with exit 2 without sending anything', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['clients', 'list', '--page-size', '0'], /--page-size takes a whole number from 1 to 500/],
      [['clients', 'list', '--page-size', '12abc'], /--page-size/],
      [['clients', 'create', '--grant-type', 'password'], /--grant-type "password" is not one of/],
      [['clients', 'create', '--token-endpoint-auth-method', 'basic'], /--token-endpoint-auth-method "basic"/],
      [['clients', 'create', '--response-type', 'code tokn'], /--response-type "code tokn"/],
      [['clients', 'create', '--metadata', '[1]'], /--metadata takes a JSON object/],
      [['clients', 'get', '--format', 'yaml', 'x'], /--format takes json or table/],
      [['clients', 'get'], /needs a client id/],
      [['introspect', 'token'], /introspect token takes one TOKEN/],
      [['revoke', 'token', 'x'], /revoke token needs --client-id/],
      [['revoke', 'token', 'x', '--client-id', 'c', '--token-type-hint', 'id_token'], /--token-type-hint/],
      [['perform', 'password'], /perform needs one of: client-credentials, authorization-code, device-code$/m],
      [['perform', 'authorization-code', '--client-id', 'c', '--port', '70000'], /--port takes a whole number from 1 to 65535/],
      [['perform', 'authorization-code', '--client-id', 'c', '--redirect-uri', 'https://evil.example/cb'], /--redirect-uri must be an http URL on loopback/],
      [['perform', 'authorization-code', '--client-id', 'c', '--max-age', '-1'], /--max-age/],
      [['perform', 'client-credentials', '--client-id', 'c'], /needs --client-secret/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli([...args, '--endpoint', endpoint]);
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.stderr, args.join(' ')).to.match(message);
    }
    expect(hits).to.equal(0);
  });

  it('names the URL and the cause when nothing answers', async () => {
    const port = await freePort();
    for (const args of [['clients', 'list', '-e', `http://127.0.0.1:${port}`], ['perform', 'client-credentials', '--client-id', 'c', '--client-secret', 's', '-e', `http://127.0.0.1:${port}`]]) {
      const r = await runCli(args);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(new RegExp(`^error: cannot reach http://127\\.0\\.0\\.1:${port}/\\S+: ECONNREFUSED 127\\.0\\.0\\.1:${port}\\n$`));
    }
  });

  it('prints the usage of one command with --help or help', async () => {
    const update = await runCli(['clients', 'update', '--help']);
    expect(update.code).to.equal(0);
    expect(update.stdout).to.match(/^tessera clients update ID/).and.include('JSON Patch');
    const flow = await runCli(['help', 'perform', 'authorization-code']);
    expect(flow.stdout).to.match(/^tessera perform authorization-code/).and.include('--port N');
    expect((await runCli(['introspect', '--help'])).stdout).to.match(/^tessera introspect token TOKEN/);
    // An unknown action still gets the general help.
    expect((await runCli(['clients', 'explode', '--help'])).stdout).to.match(/^tessera clients create\|get\|list/);
  });
});
