import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateConfig, loadConfig, loadDsn } from '../../../server/src/config/load.js';
import { environmentKeys } from '../../../server/src/config/env.js';
import { ConfigSchema } from '../../../server/src/config/schema.js';
import { CONFIG_SECRET, MINIMAL_ENV, configError } from '../../helpers/config.js';

const SECRET = CONFIG_SECRET;
const minimal = MINIMAL_ENV;


describe('configuration', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names every key after its Hydra environment variable', () => {
    const names = environmentKeys(ConfigSchema).map((k) => k.env);
    expect(names).to.include.members([
      'DSN',
      'URLS_SELF_ISSUER',
      'URLS_LOGIN',
      'URLS_CONSENT',
      'URLS_LOGOUT',
      'URLS_ERROR',
      'SECRETS_SYSTEM',
      'TTL_ACCESS_TOKEN',
      'STRATEGIES_ACCESS_TOKEN',
      'SERVE_PUBLIC_PORT',
      'SERVE_ADMIN_HOST',
      'OAUTH2_EXPOSE_INTERNAL_ERRORS',
      'OAUTH2_PKCE_ENFORCED',
      'OAUTH2_AUTHORIZATION_REQUEST_MAX_BYTES',
      'OAUTH2_CLIENT_AUTH_THROTTLE_MAX_FAILURES',
      'OAUTH2_CLIENT_AUTH_THROTTLE_WINDOW',
    ]);
  });

  it('applies Hydra defaults and parses durations to milliseconds', () => {
    const c = loadConfig({ env: minimal, cwd: dir });
    expect(c.serve.public.port).to.equal(4444);
    expect(c.serve.admin).to.deep.equal({ host: '127.0.0.1', port: 4445, allowed_hosts: [], auth: { tokens: [] } });
    expect(c.ttl).to.deep.equal({
      access_token: 3_600_000,
      refresh_token: 720 * 3_600_000,
      id_token: 3_600_000,
      auth_code: 600_000,
      login_consent_request: 1_800_000,
      authentication_session: 720 * 3_600_000,
      // Hydra's ttl.device_user_code (spec/config.json): 10m.
      device_user_code: 600_000,
    });
    expect(c.oauth2.device_authorization.token_polling_interval).to.equal(5_000);
    expect(c.strategies.access_token).to.equal('opaque');
    expect(c.oauth2.pkce.enforced_for_public_clients).to.equal(true);
    expect(Object.isFrozen(c.ttl)).to.equal(true);
  });

  it('coerces environment strings: lists, numbers, booleans, Go durations', () => {
    const c = loadConfig({
      env: {
        ...minimal,
        SECRETS_SYSTEM: `${SECRET}-new, ${SECRET}`,
        SERVE_PUBLIC_PORT: '8080',
        OAUTH2_EXPOSE_INTERNAL_ERRORS: 'true',
        OAUTH2_PKCE_ENFORCED_FOR_PUBLIC_CLIENTS: 'false',
        TTL_ACCESS_TOKEN: '1h30m',
      },
      cwd: dir,
    });
    expect(c.secrets.system).to.deep.equal([`${SECRET}-new`, SECRET]);
    expect(c.serve.public.port).to.equal(8080);
    expect(c.oauth2.expose_internal_errors).to.equal(true);
    expect(c.oauth2.pkce.enforced_for_public_clients).to.equal(false);
    expect(c.ttl.access_token).to.equal(5_400_000);
  });

  it('merges the YAML file under the environment', () => {
    const file = join(dir, 'tessera.yaml');
    writeFileSync(
      file,
      ['dsn: memory', 'urls:', '  self:', '    issuer: https://from-file.example', '  login: https://login.example/login', 'serve:', '  public:', '    port: 9000', 'secrets:', `  system: [${SECRET}]`].join('\n'),
    );
    const c = loadConfig({ file, env: { URLS_SELF_ISSUER: 'https://from-env.example' }, cwd: dir });
    expect(c.urls.self.issuer).to.equal('https://from-env.example');
    expect(c.urls.login).to.equal('https://login.example/login');
    expect(c.serve.public.port).to.equal(9000);
  });

  it('refuses a YAML key named after an Object.prototype member as unknown, and it supplies nothing (issue 12, class 2; issue 19)', () => {
    const file = join(dir, 'tessera.yaml');
    writeFileSync(file, ['__proto__:', '  log: { level: debug }', '  oauth2: { expose_internal_errors: true }', 'constructor: 1', 'toString: 2'].join('\n'));
    for (const dev of [false, true]) {
      const { config, problems } = evaluateConfig({ file, env: minimal, cwd: dir, dev, warn: () => undefined });
      expect(config, `dev=${dev}`).to.equal(undefined);
      expect(problems.map((p) => p.key), `dev=${dev}`).to.deep.equal(['__proto__.log.level', '__proto__.oauth2.expose_internal_errors', 'constructor', 'toString']);
    }
    expect(Object.prototype).not.to.have.property('log');
  });

  it('limits the size of stored requests and throttles failed client secrets, by default and as configured (issue 12, class 10)', () => {
    const defaults = loadConfig({ env: minimal, cwd: dir }).oauth2;
    expect(defaults.authorization_request).to.deep.equal({ max_bytes: 8192 });
    expect(defaults.client_auth_throttle).to.deep.equal({ max_failures: 10, window: 60_000 });
    const env = { ...minimal, OAUTH2_AUTHORIZATION_REQUEST_MAX_BYTES: '4096', OAUTH2_CLIENT_AUTH_THROTTLE_MAX_FAILURES: '0', OAUTH2_CLIENT_AUTH_THROTTLE_WINDOW: '30s' };
    const set = loadConfig({ env, cwd: dir }).oauth2;
    expect(set.authorization_request.max_bytes).to.equal(4096);
    expect(set.client_auth_throttle).to.deep.equal({ max_failures: 0, window: 30_000 });
    expect(configError(() => loadConfig({ env: { ...minimal, OAUTH2_AUTHORIZATION_REQUEST_MAX_BYTES: '100' }, cwd: dir })).key).to.equal('oauth2.authorization_request.max_bytes');
    expect(configError(() => loadConfig({ env: { ...minimal, OAUTH2_CLIENT_AUTH_THROTTLE_MAX_FAILURES: '-1' }, cwd: dir })).key).to.equal('oauth2.client_auth_throttle.max_failures');
  });

  it('names the missing key without --dev', () => {
    expect(configError(() => loadConfig({ env: {}, cwd: dir })).key).to.equal('dsn');
    const noIssuer = configError(() => loadConfig({ env: { DSN: 'memory', SECRETS_SYSTEM: SECRET }, cwd: dir }));
    expect(noIssuer.key).to.equal('urls.self.issuer');
    expect(noIssuer.reason).to.match(/is required.*URLS_SELF_ISSUER/);
    const noSecret = configError(() => loadConfig({ env: { DSN: 'memory', URLS_SELF_ISSUER: 'https://a.example' }, cwd: dir }));
    expect(noSecret.key).to.equal('secrets.system');
  });

  it('refuses bad values with the key and a reason', () => {
    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [{ SECRETS_SYSTEM: 'short' }, 'secrets.system.0', /at least 32/],
      [{ SERVE_PUBLIC_PORT: 'abc' }, 'serve.public.port', /port/],
      [{ SERVE_ADMIN_PORT: '70000' }, 'serve.admin.port', /./],
      [{ TTL_AUTH_CODE: 'forever' }, 'ttl.auth_code', /duration/],
      [{ DSN: 'mysql://x' }, 'dsn', /memory, sqlite/],
      [{ DSN: 'postgres://u@h/db?max_conns=1' }, 'dsn', /max_conns/],
      [{ DSN: 'postgres://u@h/db?statement_timeout=soon' }, 'dsn', /statement_timeout/],
      [{ DSN: 'sqlite:///tmp/x.sqlite?acquire_timeout=0s' }, 'dsn', /acquire_timeout/],
      [{ URLS_SELF_ISSUER: 'not a url' }, 'urls.self.issuer', /absolute/],
      [{ URLS_SELF_ISSUER: 'https://a.example/' }, 'urls.self.issuer', /slash/],
      [{ URLS_LOGIN: 'ftp://x' }, 'urls.login', /http/],
      // Issue 12, class 3: what the WHATWG parser accepts but no redirect should be built from.
      [{ URLS_LOGIN: 'http:///login' }, 'urls.login', /no host/],
      [{ URLS_SELF_ISSUER: 'https:auth.example' }, 'urls.self.issuer', /no host/],
      [{ URLS_CONSENT: 'https://a.example:0/consent' }, 'urls.consent', /port/],
      [{ URLS_ERROR: 'https://a.example:/error' }, 'urls.error', /port/],
      [{ URLS_LOGOUT: 'https://a.example:65536/logout' }, 'urls.logout', /port/],
      [{ URLS_POST_LOGOUT_REDIRECT: 'https://a.example\\bye' }, 'urls.post_logout_redirect', /backslash/],
      [{ URLS_SELF_PUBLIC: 'https://:443' }, 'urls.self.public', /no host/],
      [{ STRATEGIES_ACCESS_TOKEN: 'magic' }, 'strategies.access_token', /./],
      [{ OAUTH2_PKCE_ENFORCED: 'maybe' }, 'oauth2.pkce.enforced', /./],
    ];
    for (const [env, key, reason] of cases) {
      const err = configError(() => loadConfig({ env: { ...minimal, ...env }, cwd: dir }));
      expect(err.key, JSON.stringify(env)).to.equal(key);
      expect(err.reason, JSON.stringify(env)).to.match(reason);
    }
  });

  it('refuses an unreadable or non-mapping YAML file', () => {
    expect(configError(() => loadConfig({ file: join(dir, 'missing.yaml'), env: minimal, cwd: dir })).key).to.equal('--config');
    writeFileSync(join(dir, 'list.yaml'), '- a\n- b\n');
    expect(configError(() => loadConfig({ file: 'list.yaml', env: minimal, cwd: dir })).reason).to.match(/mapping/);
    writeFileSync(join(dir, 'bad.yaml'), 'a: [\n');
    expect(configError(() => loadConfig({ file: 'bad.yaml', env: minimal, cwd: dir })).reason).to.match(/not valid YAML/);
  });

  it('--dev fills in SQLite, issuer, app URLs and a secret kept in ./data', () => {
    const warnings: string[] = [];
    const c = loadConfig({ dev: true, env: {}, cwd: dir, warn: (m) => warnings.push(m) });
    expect(c.dsn).to.equal(`sqlite://${join(dir, 'data', 'tessera.sqlite')}`);
    expect(c.urls.self.issuer).to.equal('http://127.0.0.1:4444');
    expect(c.urls.login).to.equal('http://127.0.0.1:3000/login');
    expect(c.urls.consent).to.equal('http://127.0.0.1:3000/consent');
    expect(c.urls.logout).to.equal('http://127.0.0.1:3000/logout');
    expect(c.serve.public.host).to.equal('127.0.0.1');
    const secretFile = join(dir, 'data', 'system-secret');
    expect(readFileSync(secretFile, 'utf8').trim()).to.equal(c.secrets.system[0]);
    expect(statSync(secretFile).mode & 0o777).to.equal(0o600);
    expect(warnings.join()).to.match(/generated a system secret/);

    const again = loadConfig({ dev: true, env: {}, cwd: dir, warn: (m) => warnings.push(m) });
    expect(again.secrets.system).to.deep.equal(c.secrets.system);
    expect(warnings).to.have.length(1);
  });

  it('--dev keeps what the environment sets', () => {
    const c = loadConfig({ dev: true, env: { DSN: 'memory', SECRETS_SYSTEM: SECRET, SERVE_PUBLIC_PORT: '5555' }, cwd: dir });
    expect(c.dsn).to.equal('memory');
    expect(c.secrets.system).to.deep.equal([SECRET]);
    expect(c.urls.self.issuer).to.equal('http://127.0.0.1:5555');
  });

  it('resolves relative SQLite paths against the working directory', () => {
    const c = loadConfig({ env: { ...minimal, DSN: 'sqlite://db/t.sqlite' }, cwd: dir });
    expect(c.dsn).to.equal(`sqlite://${join(dir, 'db', 't.sqlite')}`);
    expect(loadDsn({ dsn: 'sqlite:///abs/t.sqlite', env: {}, cwd: dir })).to.equal('sqlite:///abs/t.sqlite');
    expect(loadDsn({ env: { DSN: 'postgres://u@h/db' }, cwd: dir })).to.equal('postgres://u@h/db');
    expect(configError(() => loadDsn({ env: {}, cwd: dir })).key).to.equal('dsn');
  });
});
