import { pino, type Logger } from 'pino';

/**
 * JSON logs on stdout, buffered (a write per access-log line would cost a
 * system call per request); serve flushes on shutdown. Redaction is a second
 * line of defence: nothing should log credentials in the first place
 * (STYLE.md rule 7).
 */
export function createLogger(level: string): Logger {
  const logger = pino(
    {
      level,
      base: { service: 'tessera' },
      redact: {
        paths: ['*.authorization', '*.cookie', '*.client_secret', '*.password', '*.token', '*.access_token', '*.refresh_token', '*.code'],
        censor: '[redacted]',
      },
    },
    pino.destination({ dest: 1, sync: false, minLength: 4096 }),
  );
  // A quiet server still shows its lines within a second.
  setInterval(() => logger.flush(), 1000).unref();
  return logger;
}
