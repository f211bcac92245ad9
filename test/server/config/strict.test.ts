import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateConfig, loadConfig, loadDsn, loadSystemSecrets } from '../../../server/src/config/load.js';
import { environmentKeys } from '../../../server/src/config/env.js';
import { ConfigSchema } from '../../../server/src/config/schema.js';
import { environmentPrefixes, unknownEnvironmentKeys } from '../../../server/src/config/strict.js';
import { CONFIG_SECRET, MINIMAL_ENV, configError } from '../../helpers/config.js';

const SECRET = CONFIG_SECRET;
const minimal = MINIMAL_ENV;


describe('configuration: unknown keys are errors (issue 19, item 3)', () => {
  let dir: string;
  const yaml = (...lines: string[]) => {
    const file = join(dir, 'tessera.yaml');
    writeFileSync(file, lines.join('\n'));
    return file;
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-strict-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names a mistyped YAML key and the closest known one, at any depth', () => {
    const cases: Array<[string[], string, string]> = [
      [['serve:', '  publc:', '    port: 4444'], 'serve.publc.port', 'unknown key; did you mean `serve.public.port`?'],
      [['serve:', '  public:', '    prot: 4444'], 'serve.public.prot', 'unknown key; did you mean `serve.public.port`?'],
      [['dns: memory'], 'dns', 'unknown key; did you mean `dsn`?'],
      [['log:', '  lvl: debug'], 'log.lvl', 'unknown key; did you mean `log.level`?'],
      [['oauth2:', '  pcke: true'], 'oauth2.pcke', 'unknown key; did you mean `oauth2.pkce`?'],
      [['urls:', '  issuer: https://a.example'], 'urls.issuer', 'unknown key; did you mean `urls.self.issuer`?'],
      [['ttls:', '  access_token: 1h'], 'ttls.access_token', 'unknown key; did you mean `ttl.access_token`?'],
      [['frobnicate: 1'], 'frobnicate', 'unknown key (docs/configuration.md lists every key)'],
      [['serve:', '  public:', '    socket: {mode: 384}'], 'serve.public.socket.mode', 'unknown key (docs/configuration.md lists every key)'],
    ];
    for (const [lines, key, reason] of cases) {
      const err = configError(() => loadConfig({ file: yaml(...lines), env: minimal, cwd: dir }));
      expect({ key: err.key, reason: err.reason }, lines.join(' ')).to.deep.equal({ key, reason });
    }
  });

  it('lists every problem, unknown keys before the values they leave missing', () => {
    const file = yaml('dsn: memory', 'urls:', '  self:', '    isuer: https://a.example', 'serve:', '  admin:', '    port: 99999');
    const { config, problems } = evaluateConfig({ file, env: { SECRETS_SYSTEM: SECRET }, cwd: dir });
    expect(config).to.equal(undefined);
    expect(problems.map((p) => p.key)).to.deep.equal(['urls.self.isuer', 'serve.admin.port', 'urls.self.issuer']);
  });

  it('says that a key written without a value has none, for sections and leaves', () => {
    const file = yaml('serve:', 'urls:', '  login:');
    const { problems } = evaluateConfig({ file, env: minimal, cwd: dir });
    const reason = 'has no value in the config file (give it one, or remove the line for the default)';
    expect(problems.map((p) => ({ key: p.key, reason: p.reason }))).to.deep.equal([
      { key: 'serve', reason },
      { key: 'urls.login', reason },
    ]);
  });

  it('refuses unknown variables with a section prefix, naming the closest known one', () => {
    const cases: Array<[string, string]> = [
      ['SERVE_PUBLC_PORT', 'unknown environment variable; did you mean `SERVE_PUBLIC_PORT`?'],
      ['URLS_ISSUER', 'unknown environment variable; did you mean `URLS_SELF_ISSUER`?'],
      ['SECRET_SYSTEM', ''],
      ['SECRETS_SYTEM', 'unknown environment variable; did you mean `SECRETS_SYSTEM`?'],
      ['TTL_ACCESS_TOKENS', 'unknown environment variable; did you mean `TTL_ACCESS_TOKEN`?'],
      ['OAUTH2_PKCE_ENFORCED_FOR_PUBLIC_CLIENT', 'unknown environment variable; did you mean `OAUTH2_PKCE_ENFORCED_FOR_PUBLIC_CLIENTS`?'],
      ['LOG_FORMAT', 'unknown environment variable (docs/configuration.md lists every key)'],
      ['STRATEGIES_JWT', 'unknown environment variable (docs/configuration.md lists every key)'],
    ];
    for (const [name, reason] of cases) {
      const run = () => loadConfig({ env: { ...minimal, [name]: 'x' }, cwd: dir });
      if (reason === '') {
        expect(run().dsn, `${name} is not ours`).to.equal('memory');
        continue;
      }
      const err = configError(run);
      expect({ key: err.key, reason: err.reason }).to.deep.equal({ key: name, reason });
    }
  });

  it('derives the prefixes from the schema and leaves other variables alone', () => {
    expect(environmentPrefixes(ConfigSchema)).to.deep.equal(['SERVE_', 'URLS_', 'SECRETS_', 'TTL_', 'STRATEGIES_', 'OAUTH2_', 'OIDC_', 'KEYS_', 'LOG_']);
    const theirs = ['PATH', 'HOME', 'NODE_ENV', 'NODE_OPTIONS', 'TESSERA_ADMIN_URL', 'TESSERA_ADMIN_TOKEN', 'TEST_PG_DSN', 'DSN_EXTRA', 'DEVELOPER',
      'LOGNAME', 'SERVER_NAME', 'URL', 'KEYSTORE', 'serve_publc_port', 'Log_Level', 'OAUTH_TOKEN', 'SECRET_KEY'];
    expect(unknownEnvironmentKeys(ConfigSchema, Object.fromEntries(theirs.map((n) => [n, 'x'])))).to.deep.equal([]);
    const ours = Object.fromEntries(environmentKeys(ConfigSchema).map((k) => [k.env, 'x']));
    expect(unknownEnvironmentKeys(ConfigSchema, ours)).to.deep.equal([]);
  });

  it('migrate, janitor and secrets rotate refuse unknown keys too (they read the same file and environment)', () => {
    const file = yaml('dsn: sqlite:///tmp/x.sqlite', 'secrets:', `  system: [${SECRET}]`, 'serve:', '  publc: {port: 1}');
    expect(configError(() => loadDsn({ file, env: {}, cwd: dir })).key).to.equal('serve.publc.port');
    expect(configError(() => loadSystemSecrets({ file, env: {}, cwd: dir })).key).to.equal('serve.publc.port');
    expect(configError(() => loadDsn({ env: { DSN: 'memory', URLS_SELF_ISUER: 'x' }, dsn: 'sqlite:///tmp/x.sqlite', cwd: dir })).key).to.equal('URLS_SELF_ISUER');
  });
});
