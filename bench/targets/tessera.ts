import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startChild, type Child } from '../lib/children.js';
import { createHttpClient, parseJson, stringField } from '../lib/http.js';
import { freePort } from '../lib/ports.js';
import { waitUntilReady } from '../lib/wait.js';
import { postgresDatabase, sqliteDatabase, type BenchDatabase } from './database.js';
import { REDIRECT_URI, type BenchClient, type RunningTarget, type Skipped, type TargetDef } from './target.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CLI = `${REPO}server/dist/cli/main.js`;

/** `tessera <args>` in a process of its own. */
export function spawnTessera(args: readonly string[], env: NodeJS.ProcessEnv = {}, nodeArgs: readonly string[] = []): Child {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
  return startChild(`tessera ${args.slice(0, 2).join(' ')}`, process.execPath, [...nodeArgs, CLI, ...args], { env: { ...process.env, NODE_ENV: 'production', ...env } });
}

/** `tessera <args>` to completion; stdout, or an error with stderr. Bounded. */
export async function tesseraCli(args: readonly string[], timeoutMs = 60_000): Promise<string> {
  const child = spawnTessera(args);
  const timer = setTimeout(() => void child.stop(), timeoutMs);
  const code = await child.exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`tessera ${args.join(' ')} ended with ${code}: ${child.stderr().trim().slice(-500)}`);
  return child.stdout();
}

export interface TesseraOptions {
  readonly name: string;
  readonly db: BenchDatabase;
  /** SECRETS_SYSTEM: fixed per database, since it encrypts the signing keys stored there. */
  readonly secret: string;
  readonly workers?: number;
  /** Write V8 CPU profiles (node --cpu-prof) of the server processes here. */
  readonly profileDir?: string;
}

/** `tessera serve all` on a migrated database; Skipped when the CLI refuses an option (exit 2). */
export async function serveTessera(o: TesseraOptions): Promise<Omit<RunningTarget, 'client'> | Skipped> {
  const [pub, adm] = [await freePort(), await freePort()];
  const publicUrl = `http://127.0.0.1:${pub}`;
  const adminUrl = `http://127.0.0.1:${adm}`;
  const args = ['serve', 'all', ...(o.workers ? ['--workers', String(o.workers)] : [])];
  const env = {
    DSN: o.db.dsn,
    SECRETS_SYSTEM: o.secret,
    URLS_SELF_ISSUER: publicUrl,
    // The harness plays the login and consent apps; nothing needs to listen here.
    URLS_LOGIN: 'http://127.0.0.1:9/login',
    URLS_CONSENT: 'http://127.0.0.1:9/consent',
    SERVE_PUBLIC_HOST: '127.0.0.1',
    SERVE_PUBLIC_PORT: String(pub),
    SERVE_ADMIN_HOST: '127.0.0.1',
    SERVE_ADMIN_PORT: String(adm),
    LOG_LEVEL: 'warn',
  };
  const child = spawnTessera(args, env, o.profileDir ? ['--cpu-prof', '--cpu-prof-dir', o.profileDir] : []);
  const http = createHttpClient(1);
  try {
    const ended = await waitUntilReady(child, async () => (await http.request('GET', `${adminUrl}/health/ready`, { timeoutMs: 1000 })).status === 200);
    if (ended?.exited === 2) return { skipped: `not available yet: the CLI refused \`${args.join(' ')}\` (${child.stderr().trim().split('\n')[0] ?? 'exit 2'})` };
    if (ended) throw new Error(`${o.name} exited (${ended.exited}): ${child.stderr().slice(-500)}`);
  } finally {
    http.close();
  }
  return {
    name: o.name,
    kind: 'tessera',
    pids: [child.pid],
    dbPids: o.db.pids,
    publicUrl,
    adminUrl,
    urls: {
      token: `${publicUrl}/oauth2/token`,
      introspect: `${adminUrl}/admin/oauth2/introspect`,
      discovery: `${publicUrl}/.well-known/openid-configuration`,
      jwks: `${publicUrl}/.well-known/jwks.json`,
      authorize: `${publicUrl}/oauth2/auth`,
    },
    introspectionAuth: false,
    stop: () => child.stop(15_000),
  };
}

/**
 * A confidential client_secret_basic client through the admin API: a generated (high-entropy)
 * secret unless `extra` names `client_secret` (what an operator importing clients from Hydra has:
 * scrypt at rest), with any other metadata in `extra`.
 */
export async function createClient(adminUrl: string, extra: Record<string, unknown> = {}): Promise<BenchClient> {
  const http = createHttpClient(1);
  try {
    const res = await http.request('POST', `${adminUrl}/admin/clients`, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'bench',
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        response_types: ['code'],
        redirect_uris: [REDIRECT_URI],
        scope: 'openid offline_access',
        token_endpoint_auth_method: 'client_secret_basic',
        ...extra,
      }),
    });
    const body = parseJson(res, 'create client');
    return { id: stringField(body, 'client_id', 'create client'), secret: stringField(body, 'client_secret', 'create client'), redirectUri: REDIRECT_URI };
  } finally {
    http.close();
  }
}

/**
 * Two clients with JWT access tokens (RFC 9068): RS256 (the default, its key
 * created by the first token) and ES256 (a key added to hydra.jwt.access-token
 * first; as the set's only ES256 key it signs at once).
 */
async function createJwtClients(adminUrl: string): Promise<{ RS256: BenchClient; ES256: BenchClient }> {
  const http = createHttpClient(1);
  try {
    const res = await http.request('POST', `${adminUrl}/admin/keys/hydra.jwt.access-token`, { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ alg: 'ES256' }) });
    if (res.status !== 201) throw new Error(`create ES256 access-token key: ${res.status}`);
  } finally {
    http.close();
  }
  return {
    RS256: await createClient(adminUrl, { access_token_strategy: 'jwt' }),
    ES256: await createClient(adminUrl, { access_token_strategy: 'jwt', access_token_signed_response_alg: 'ES256' }),
  };
}

export const systemSecret = () => randomBytes(32).toString('base64url');

function tesseraTarget(name: string, database: () => Promise<BenchDatabase>, workers: number | undefined, profileDir: string | undefined): TargetDef {
  return {
    name,
    kind: 'tessera',
    async start() {
      const db = await database();
      try {
        await tesseraCli(['migrate', 'up', '--dsn', db.dsn]);
        const profile = profileDir ? { profileDir: `${profileDir}/${name.replace(/[^a-z0-9]+/gi, '-')}` } : {};
        const served = await serveTessera({ name, db, secret: systemSecret(), ...(workers ? { workers } : {}), ...profile });
        if ('skipped' in served) {
          await db.drop();
          return served;
        }
        const client = await createClient(served.adminUrl ?? '').catch(async (err: unknown) => {
          await served.stop();
          throw err;
        });
        const chosenClient = await createClient(served.adminUrl ?? '', { client_secret: `operator-chosen-${systemSecret().slice(0, 12)}` }).catch(async (err: unknown) => {
          await served.stop();
          throw err;
        });
        const jwtClients = await createJwtClients(served.adminUrl ?? '').catch(async (err: unknown) => {
          await served.stop();
          throw err;
        });
        return { ...served, client, chosenClient, jwtClients, stop: () => served.stop().finally(() => db.drop()) };
      } catch (err) {
        await db.drop();
        throw err;
      }
    },
  };
}

/** SQLite, PostgreSQL when TEST_PG_DSN is set, and each with two cluster workers (issue 20: PostgreSQL has no single writer). */
export function tesseraTargets(pgDsn: string | undefined, profileDir?: string): TargetDef[] {
  const list = [tesseraTarget('tessera sqlite', async () => sqliteDatabase(), undefined, profileDir)];
  if (pgDsn) list.push(tesseraTarget('tessera postgres', () => postgresDatabase(pgDsn), undefined, profileDir));
  list.push(tesseraTarget('tessera sqlite --workers 2', async () => sqliteDatabase(), 2, profileDir));
  if (pgDsn) list.push(tesseraTarget('tessera postgres --workers 2', () => postgresDatabase(pgDsn), 2, profileDir));
  return list;
}
