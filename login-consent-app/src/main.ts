#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { TesseraAdmin } from '@tessera/sdk';
import { readPassword } from './cli/password.js';
import { HELP } from './cli/help.js';
import { serve } from './cli/serve.js';
import { UsageError, usersCommand } from './cli/users.js';
import { ConfigError, loadAppConfig } from './config.js';
import type { Log } from './http/errors.js';
import { connectDatabase, migrateDatabase } from './users/db.js';
import { createUserStore } from './users/store.js';

const out = (text: string) => process.stdout.write(`${text}\n`);

/** One JSON line per event on stderr, never a password, token or cookie. */
const log: Log = (level, message, fields = {}) => process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields })}\n`);

async function users(positionals: string[], values: { name?: string | undefined; username?: string | undefined; verified?: boolean | undefined }): Promise<number> {
  const knex = connectDatabase(process.env['DSN'] || 'sqlite://./data/login-app.sqlite');
  try {
    await migrateDatabase(knex);
    const tessera = new TesseraAdmin({
      baseUrl: process.env['TESSERA_ADMIN_URL'] || 'http://127.0.0.1:4445',
      token: process.env['TESSERA_ADMIN_TOKEN'] || undefined,
      timeoutMs: 5000,
    });
    return await usersCommand(createUserStore(knex), positionals, values, { out, readPassword: (prompt) => readPassword(prompt), tessera });
  } finally {
    await knex.destroy();
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dev: { type: 'boolean' },
      name: { type: 'string' },
      username: { type: 'string' },
      verified: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === 'help' || command === undefined) {
    out(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (command === 'serve') return serve(loadAppConfig(process.env, { dev: values.dev === true }), log, out);
  if (command === 'users') return users(rest, values);
  throw new UsageError(`unknown command "${command}"; see tessera-login help`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const known = err instanceof UsageError || err instanceof ConfigError || (err instanceof TypeError && 'code' in err);
    process.stderr.write(`tessera-login: ${err instanceof Error ? (known ? err.message : (err.stack ?? err.message)) : String(err)}\n`);
    process.exit(known ? 2 : 1);
  },
);
