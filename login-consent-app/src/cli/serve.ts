import type { AppConfig } from '../config.js';
import type { Log } from '../http/errors.js';
import { startApp, type RunningApp } from '../server.js';

function banner(app: RunningApp, config: AppConfig): string {
  const lines = [`login-consent-app listening on ${app.url} (Tessera admin API: ${config.adminUrl})`];
  if (app.dev) {
    lines.push(
      '',
      '  --dev: never use this in production.',
      `  Demo user:          ${app.dev.user.email} / ${app.dev.user.password}`,
      `  Demo app:           ${app.dev.demoUrl}`,
      '  Or open this authorization URL of the demo client (login → consent → tokens):',
      `  ${app.dev.authorizationUrl}`,
    );
  }
  return lines.join('\n');
}

/** Runs until SIGINT/SIGTERM, then finishes the requests in flight and closes the database. */
export async function serve(config: AppConfig, log: Log, out: (text: string) => void): Promise<number> {
  const app = await startApp(config, log);
  out(banner(app, config));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await app.close();
  return 0;
}
