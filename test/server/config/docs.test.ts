import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { configurationMarkdown, keyDocs } from '../../../server/src/config/docs.js';
import { exampleYaml } from '../../../server/src/config/example.js';
import { environmentKeys } from '../../../server/src/config/env.js';
import { loadConfig } from '../../../server/src/config/load.js';
import { ConfigSchema } from '../../../server/src/config/schema.js';
import { runCli } from '../../helpers/cli.js';
import { TEST_SECRET } from '../../helpers/tessera.js';

const DOCS = fileURLToPath(new URL('../../../docs/configuration.md', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../../tessera.example.yaml', import.meta.url));

/** Line and text of the first difference, so a stale file says where. */
function firstDifference(committed: string, generated: string): string {
  const a = committed.split('\n');
  const b = generated.split('\n');
  const i = a.findIndex((line, n) => line !== b[n]);
  const at = i === -1 ? a.length : i;
  return `line ${at + 1}: committed ${JSON.stringify(a[at])}, generated ${JSON.stringify(b[at])}`;
}

describe('configuration reference (issue 19, item 3)', function () {
  this.timeout(30_000);

  it('docs/configuration.md is generated from the schema (else: npm run docs:config, and commit it)', () => {
    const committed = readFileSync(DOCS, 'utf8');
    const generated = configurationMarkdown(ConfigSchema);
    if (committed !== generated) expect.fail(`docs/configuration.md is stale: run \`npm run docs:config\` (${firstDifference(committed, generated)})`);
  });

  it('tessera.example.yaml is generated from the schema (else: npm run docs:config, and commit it)', () => {
    const committed = readFileSync(EXAMPLE, 'utf8');
    const generated = exampleYaml(ConfigSchema);
    if (committed !== generated) expect.fail(`tessera.example.yaml is stale: run \`npm run docs:config\` (${firstDifference(committed, generated)})`);
  });

  it('documents every key with a type, a default or "required", its environment variable and a description', () => {
    const docs = readFileSync(DOCS, 'utf8');
    const example = readFileSync(EXAMPLE, 'utf8');
    const keys = keyDocs(ConfigSchema);
    expect(keys.map((k) => k.env)).to.deep.equal(environmentKeys(ConfigSchema).map((k) => k.env));
    for (const k of keys) {
      const name = k.path.join('.');
      expect(k.description, `${name} needs .describe() in schema.ts`).to.match(/\S{3}/);
      expect(k.type, name).not.to.equal('value');
      const row = docs.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row, name).to.be.a('string').and.include(`\`${k.env}\``).and.include(k.description.replace(/\|/g, '\\|'));
      expect(example, name).to.match(new RegExp(`^ *(# )?${k.path.at(-1)}:`, 'm'));
    }
    expect(keys.filter((k) => k.required).map((k) => k.path.join('.'))).to.deep.equal(['dsn', 'urls.self.issuer', 'secrets.system']);
    expect(keys.find((k) => k.env === 'TTL_REFRESH_TOKEN')).to.include({ type: 'duration', fallback: '720h' });
    expect(keys.find((k) => k.env === 'STRATEGIES_SCOPE')?.type).to.equal('one of `exact`, `wildcard`');
  });

  it('tessera.example.yaml validates (with SECRETS_SYSTEM from the environment), and needs nothing else', async () => {
    const ok = await runCli(['config', 'validate', '--config', EXAMPLE], { env: { SECRETS_SYSTEM: TEST_SECRET } });
    expect({ code: ok.code, stdout: ok.stdout, stderr: ok.stderr }).to.deep.equal({ code: 0, stdout: 'ok\n', stderr: '' });
    const bare = await runCli(['config', 'validate', '--config', EXAMPLE]);
    expect(bare.code).to.equal(2);
    expect(bare.stderr).to.equal('config error: secrets.system: is required (set SECRETS_SYSTEM or secrets.system in the config file)\n');
  });

  it('every default the example shows is valid where it stands: uncommenting them changes nothing', () => {
    // Uncomment "# key: value" lines and the sections above them; keys shown without a value stay commented.
    const lines = readFileSync(EXAMPLE, 'utf8').split('\n');
    const uncommented = lines.map((line) => line.replace(/^( *)# ([a-z0-9_]+: \S.*)$/, '$1$2'));
    // Bottom-up, so that a section whose sub-section was uncommented is uncommented too.
    const withSections = [...uncommented];
    for (let i = withSections.length - 1; i >= 0; i--) {
      const m = /^( *)# ([a-z0-9_]+):$/.exec(withSections[i] ?? '');
      if (!m) continue;
      const indent = m[1] ?? '';
      const next = withSections.slice(i + 1).find((l) => !/^ *#/.test(l) || /^ *# [a-z0-9_]+:$/.test(l));
      if (next !== undefined && next.startsWith(`${indent}  `) && !/^ *#/.test(next)) withSections[i] = `${indent}${m[2]}:`;
    }
    const doc: unknown = parseYaml(withSections.join('\n'));
    expect(doc).to.have.nested.property('ttl.refresh_token', '720h');
    expect(doc).to.have.nested.property('serve.admin.port', 4445);
    expect(doc).to.have.nested.property('oauth2.pkce.enforced_for_public_clients', true);
    const dir = mkdtempSync(join(tmpdir(), 'tessera-example-'));
    try {
      writeFileSync(join(dir, 'all.yaml'), withSections.join('\n'));
      const env = { SECRETS_SYSTEM: TEST_SECRET };
      expect(loadConfig({ file: join(dir, 'all.yaml'), env, cwd: dir })).to.deep.equal(loadConfig({ file: EXAMPLE, env, cwd: dir }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
