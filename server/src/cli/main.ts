#!/usr/bin/env node
import cluster from 'node:cluster';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../config/load.js';
import { PendingMigrationsError } from '../app.js';
import { VERSION } from '../version.js';
import { HELP } from './help.js';
import { EXIT, UsageError, databaseErrorLine } from './errors.js';
import { serve } from './serve.js';
import { migrate } from './migrate.js';
import { AdminApiError, clients } from './clients.js';
import { janitor } from './janitor.js';
import { secrets } from './secrets.js';
import { configCommand } from './config.js';
import { keys } from './keys.js';
import { commandHelp } from './command-help.js';
import { introspectCommand } from './introspect.js';
import { revokeCommand } from './revoke.js';
import { perform } from './perform.js';
import { readStdin, scan } from './scan.js';

const options = {
  help: { type: 'boolean', short: 'h' },
  dev: { type: 'boolean' },
  config: { type: 'string', short: 'c' },
  dsn: { type: 'string' },
  endpoint: { type: 'string', short: 'e' },
  'token-file': { type: 'string' },
  id: { type: 'string' },
  name: { type: 'string' },
  secret: { type: 'string' },
  owner: { type: 'string' },
  scope: { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  'post-logout-redirect-uri': { type: 'string', multiple: true },
  'grant-type': { type: 'string', multiple: true },
  'response-type': { type: 'string', multiple: true },
  audience: { type: 'string', multiple: true },
  'token-endpoint-auth-method': { type: 'string' },
  'skip-consent': { type: 'boolean' },
  'grace-period': { type: 'string' },
  'page-size': { type: 'string' },
  'page-token': { type: 'string' },
  workers: { type: 'string' },
  tokens: { type: 'boolean' },
  requests: { type: 'boolean' },
  grants: { type: 'boolean' },
  'keep-if-younger': { type: 'string' },
  'batch-size': { type: 'string' },
  pause: { type: 'string' },
  alg: { type: 'string' },
  kid: { type: 'string' },
  use: { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  format: { type: 'string' },
  report: { type: 'boolean' },
  // clients, introspect, revoke, perform (issue 19)
  metadata: { type: 'string' },
  'logo-uri': { type: 'string' },
  'client-uri': { type: 'string' },
  'policy-uri': { type: 'string' },
  'tos-uri': { type: 'string' },
  contact: { type: 'string', multiple: true },
  'allowed-cors-origin': { type: 'string', multiple: true },
  'backchannel-logout-uri': { type: 'string' },
  'frontchannel-logout-uri': { type: 'string' },
  'access-token-strategy': { type: 'string' },
  'token-type-hint': { type: 'string' },
  port: { type: 'string' },
  prompt: { type: 'string' },
  'max-age': { type: 'string' },
  'metrics-file': { type: 'string' },
} satisfies ParseArgsConfig['options'];

const out = (line: string) => process.stdout.write(`${line}\n`);

async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === 'help' || command === undefined) {
    // `tessera clients create --help`, `tessera help perform`: that command's usage.
    out(commandHelp(command === 'help' ? rest : positionals) ?? HELP);
    return command === undefined && !values.help ? EXIT.usage : EXIT.ok;
  }
  switch (command) {
    case 'version':
      out(VERSION);
      return EXIT.ok;
    case 'serve':
      return serve({ positionals: rest, dev: values.dev === true, config: values.config, workers: values.workers });
    case 'migrate':
      return migrate({ positionals: rest, dsn: values.dsn, config: values.config, dev: values.dev === true }, out);
    case 'janitor':
      return janitor(
        {
          dsn: values.dsn,
          config: values.config,
          tokens: values.tokens === true,
          requests: values.requests === true,
          grants: values.grants === true,
          keepIfYounger: values['keep-if-younger'],
          batchSize: values['batch-size'],
          pause: values.pause,
          metricsFile: values['metrics-file'],
        },
        out,
      );
    case 'secrets':
      return secrets({ positionals: rest, dsn: values.dsn, config: values.config, dev: values.dev === true }, out);
    case 'config':
      return configCommand({ positionals: rest, config: values.config, dev: values.dev === true }, out, (line) => process.stderr.write(`${line}\n`));
    case 'clients':
      return clients({ positionals: rest, endpoint: values.endpoint, tokenFile: values['token-file'], values }, out);
    case 'keys':
      return keys({ positionals: rest, endpoint: values.endpoint, tokenFile: values['token-file'], alg: values.alg, kid: values.kid, use: values.use }, out);
    case 'scan':
      return scan(
        { paths: rest, config: values.config, dev: values.dev === true, format: values.format, report: values.report === true, endpoint: values.endpoint, tokenFile: values['token-file'] },
        { out, err: (line) => process.stderr.write(`${line}\n`), stdin: readStdin },
      );
    case 'introspect':
      return introspectCommand({ positionals: rest, endpoint: values.endpoint, tokenFile: values['token-file'], values }, out);
    case 'revoke':
      return revokeCommand({ positionals: rest, endpoint: values.endpoint, values }, out);
    case 'perform':
      return perform({ positionals: rest, endpoint: values.endpoint, values }, out);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) {
    process.stderr.write(`usage error: ${err.message}\nRun "tessera help" for usage.\n`);
    process.exitCode = EXIT.usage;
  } else if (err instanceof ConfigError) {
    process.stderr.write(`config error: ${err.key}: ${err.reason}\n`);
    process.exitCode = EXIT.usage;
  } else if (err instanceof AdminApiError || err instanceof PendingMigrationsError) {
    process.stderr.write(`error: ${err.message}\n`);
    process.exitCode = EXIT.failure;
  } else if (databaseErrorLine(err) !== undefined) {
    process.stderr.write(`${databaseErrorLine(err)}\n`);
    process.exitCode = EXIT.failure;
  } else {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`error: ${message}\n`);
    process.exitCode = EXIT.failure;
  }
}
// A cluster worker's IPC channel would keep a failed worker alive; its exit code tells the primary why it stopped.
if (cluster.isWorker && process.exitCode !== EXIT.ok) cluster.worker?.disconnect();
