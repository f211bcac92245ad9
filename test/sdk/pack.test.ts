import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sqliteBackend } from '../helpers/databases.js';
import { useTessera } from '../helpers/tessera.js';
import { request } from '../helpers/http.js';

/*
 * Issue 19: `npm pack` in sdk/ yields a package a project outside the
 * repository can install and use. The tarball is installed in a temporary
 * project under the OS temp dir (no workspace, no repository node_modules
 * above it); zod, its one dependency, resolves as for any user: the npm
 * cache first (`npm ci` of this repository filled it), the registry for
 * what the cache lacks. Then the README's first example is type-checked
 * (with the declarations the package ships) and run against a server.
 */

const run = promisify(execFile);
const SDK = fileURLToPath(new URL('../../sdk/', import.meta.url));
const TSC = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
const README = join(SDK, 'README.md');

/** The README's first TypeScript block: the install example. */
function readmeExample(): string {
  const block = /```ts\n([\s\S]*?)```/.exec(readFileSync(README, 'utf8'))?.[1];
  if (!block) throw new Error('no ts block in sdk/README.md');
  return block;
}

describe('sdk: the packed package installs and runs outside the repository', function () {
  this.timeout(180_000);
  const harness = useTessera(sqliteBackend);
  let dir: string;
  let tarball: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-sdk-user-'));
    // --ignore-scripts: the suite runs after `tsc -b`; prepack (tsc -b) is for people packing by hand.
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: SDK });
    const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = join(dir, info?.filename ?? '');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'sdk-user', private: true, type: 'module' }));
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: dir });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('ships ESM, declarations, the OpenAPI document and the license, and depends on zod alone', async () => {
    const listed = (await run('tar', ['-tzf', tarball])).stdout.split('\n');
    for (const file of ['dist/index.js', 'dist/index.d.ts', 'dist/openapi/index.js', 'dist/openapi/index.d.ts', 'openapi.json', 'README.md', 'LICENSE', 'package.json']) {
      expect(listed, file).to.include(`package/${file}`);
    }
    const installed = JSON.parse(readFileSync(join(dir, 'node_modules/@tessera/sdk/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(installed.dependencies).to.deep.equal({ zod: JSON.parse(readFileSync(join(SDK, 'package.json'), 'utf8')).dependencies.zod });
    const zod = JSON.parse(readFileSync(join(dir, 'node_modules/zod/package.json'), 'utf8')) as { version: string };
    expect(zod.version).to.equal(installed.dependencies['zod']);
    // No import of anything but itself and zod (no workspace package, no node: built-in a browser lacks).
    const { stdout } = await run('grep', ['-rhoE', "from '[^.][^']*'", join(dir, 'node_modules/@tessera/sdk/dist'), '--include=*.js']);
    expect([...new Set(stdout.trim().split('\n'))].sort()).to.deep.equal(["from 'zod'"]);
  });

  it('type-checks the README example with the shipped declarations', async () => {
    writeFileSync(join(dir, 'example.ts'), readmeExample());
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: [], lib: ['ES2022', 'DOM'] }, files: ['example.ts'] }),
    );
    const result = await run(process.execPath, [TSC, '-p', dir], { cwd: dir }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? String(err), failed: true }));
    expect(result, result.stdout).not.to.have.property('failed');
  });

  it('runs the README example against a running Tessera', async () => {
    const code = readmeExample().replace("'http://127.0.0.1:4445'", JSON.stringify(harness.t.adminUrl));
    expect(code).to.include(harness.t.adminUrl);
    writeFileSync(join(dir, 'example.mjs'), code);
    const { stdout } = await run(process.execPath, ['example.mjs'], { cwd: dir });
    const [id, secret] = stdout.trim().split(' ');
    expect(secret).to.have.length.of.at.least(32);
    const stored = await request<{ client_name: string; redirect_uris: string[] }>(harness.t.adminUrl, 'GET', `/admin/clients/${id}`);
    expect(stored.status).to.equal(200);
    expect(stored.body).to.include({ client_name: 'My app' });
  });
});
