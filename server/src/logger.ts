import { pino, type DestinationStream, type Logger } from 'pino';
import { formatLogLine } from './lib/log-line.js';

export interface LoggerOptions {
  /** Readable single lines instead of JSON: `--dev`, or stdout is a terminal. */
  readonly readable?: boolean;
}

/** Readable lines go straight to stdout: a person is watching, and such a process serves little. */
function readableDestination(): DestinationStream {
  return { write: (line: string) => void process.stdout.write(formatLogLine(line)) };
}

/**
 * JSON logs on stdout, buffered (a write per access-log line would cost a
 * system call per request); serve flushes on shutdown. Redaction is a second
 * line of defence: nothing should log credentials in the first place
 * (STYLE.md rule 7).
 */
export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const json = options.readable === true ? undefined : pino.destination({ dest: 1, sync: false, minLength: 4096 });
  const logger = pino(
    {
      level,
      base: { service: 'tessera' },
      redact: {
        paths: ['*.authorization', '*.cookie', '*.client_secret', '*.password', '*.token', '*.access_token', '*.refresh_token', '*.code'],
        censor: '[redacted]',
      },
    },
    json ?? readableDestination(),
  );
  // A quiet server still shows its lines within a second.
  if (json) setInterval(() => logger.flush(), 1000).unref();
  return logger;
}
