import { pino, type Logger } from 'pino';

/**
 * JSON logs on stdout. Redaction is a second line of defence: nothing should
 * log credentials in the first place (STYLE.md rule 7).
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'tessera' },
    redact: {
      paths: ['*.authorization', '*.cookie', '*.client_secret', '*.password', '*.token', '*.access_token', '*.refresh_token', '*.code'],
      censor: '[redacted]',
    },
  });
}
