import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TesseraAdmin } from '@tessera/sdk';
import type { Knex } from 'knex';
import { createApp } from './app.js';
import type { AppConfig } from './config.js';
import { registerDemoClient } from './demo/client.js';
import { discoverRelyingParty } from './demo/relying-party.js';
import { demoRoutes } from './demo/routes.js';
import { createCsrf } from './http/csrf.js';
import type { Log } from './http/errors.js';
import { connectDatabase, migrateDatabase } from './users/db.js';
import { createUserStore, type UserStore } from './users/store.js';
import { createThrottle } from './users/throttle.js';

export const DEMO_USER = { email: 'foo@bar.com', password: 'foobar', name: 'Foo Bar', username: 'foo' } as const;

export interface RunningApp {
  readonly url: string;
  readonly users: UserStore;
  /** In --dev: the demo user, and an authorization URL of the demo client that leads to its tokens. */
  readonly dev?: { readonly user: typeof DEMO_USER; readonly authorizationUrl: string; readonly demoUrl: string } | undefined;
  close(): Promise<void>;
}

/** The seeded --dev user; left as it is when it exists already. */
async function seedDemoUser(users: UserStore): Promise<void> {
  if (await users.byEmail(DEMO_USER.email)) return;
  await users.add({ ...DEMO_USER, emailVerified: true });
}

async function demo(config: AppConfig, admin: TesseraAdmin, csrf: ReturnType<typeof createCsrf>) {
  const client = await registerDemoClient(admin, config.appUrl);
  const rp = await discoverRelyingParty(config.publicUrl, client, config.appUrl);
  return demoRoutes({ rp, admin, csrf, appUrl: config.appUrl });
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Opens the database (migrating it), in --dev seeds the demo user and registers the demo client, and listens. */
export async function startApp(config: AppConfig, log: Log): Promise<RunningApp> {
  const knex: Knex = connectDatabase(config.dsn);
  try {
    await migrateDatabase(knex);
    const users = createUserStore(knex);
    const admin = new TesseraAdmin({ baseUrl: config.adminUrl, token: config.adminToken });
    const csrf = createCsrf(config.cookieSecret);
    if (config.dev) await seedDemoUser(users);
    const extra = config.dev ? await demo(config, admin, csrf) : undefined;
    const deps = { admin, users, throttle: createThrottle(knex, config.throttle), csrf, log, tesseraPublicUrl: config.publicUrl, consent: config.consent };
    const app = createApp(deps, { dev: config.dev, trustProxy: config.trustProxy, extra: extra?.router });
    const server = createServer(app.callback());
    const port = await listen(server, config.port, config.host);
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    return {
      url,
      users,
      dev: extra ? { user: DEMO_USER, authorizationUrl: (await extra.printableAuthorizationUrl()).href, demoUrl: `${config.appUrl}/demo` } : undefined,
      async close() {
        // Finish requests in flight (a second at most), then drop idle keep-alive connections.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 1000);
        await closed;
        clearTimeout(force);
        await knex.destroy();
      },
    };
  } catch (err) {
    await knex.destroy();
    throw err;
  }
}
