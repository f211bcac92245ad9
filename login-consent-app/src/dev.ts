import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/*
 * `npm start`: Tessera (`serve all --dev`, ports 4444/4445) and this app
 * (`serve --dev`, port 3000) wired to each other. Ctrl-C (or SIGTERM) stops
 * both; if either exits, the other is stopped too.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const watch = fileURLToPath(new URL('./parent-watch.js', import.meta.url));
const appPort = Number(process.env['PORT'] || 3000);
const appUrl = `http://127.0.0.1:${appPort}`;
const publicUrl = 'http://127.0.0.1:4444';
const adminUrl = 'http://127.0.0.1:4445';
const children: ChildProcess[] = [];
let stopping = false;

function start(name: string, script: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', watch, script, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
  children.push(child);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    process.stderr.write(`\n${name} exited (${signal ?? `code ${code}`}); stopping.\n`);
    void stop(code || 1);
  });
  return child;
}

async function ready(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

async function stop(code: number): Promise<never> {
  stopping = true;
  const exits = children.filter((c) => c.exitCode === null && c.signalCode === null).map((c) => new Promise((resolve) => c.once('exit', resolve)));
  for (const child of children) child.kill('SIGTERM');
  const force = setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), 10_000);
  await Promise.all(exits);
  clearTimeout(force);
  process.exit(code);
}

process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

async function main(): Promise<void> {
  const tessera = start('Tessera', 'server/dist/cli/main.js', ['serve', 'all', '--dev'], {
    // Tessera's access log would drown the banner; LOG_LEVEL=info brings it back.
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn',
    URLS_LOGIN: `${appUrl}/login`,
    URLS_CONSENT: `${appUrl}/consent`,
    URLS_LOGOUT: `${appUrl}/logout`,
  });
  await ready(`${adminUrl}/health/ready`, tessera);
  const app = start('login-consent-app', 'login-consent-app/dist/main.js', ['serve', '--dev'], {
    PORT: String(appPort),
    TESSERA_ADMIN_URL: adminUrl,
    TESSERA_PUBLIC_URL: publicUrl,
  });
  await ready(`${appUrl}/health`, app);
  process.stdout.write(
    [
      '',
      `Tessera public API   ${publicUrl}  (discovery: ${publicUrl}/.well-known/openid-configuration)`,
      `Tessera admin API    ${adminUrl}`,
      `Login/consent app    ${appUrl}`,
      '',
      'Open the authorization URL above in a browser, sign in as foo@bar.com / foobar, and see the tokens.',
      'Press Ctrl-C to stop both.',
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`npm start: ${err instanceof Error ? err.message : String(err)}\n`);
  void stop(1);
});
