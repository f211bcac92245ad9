import type { Logger } from 'pino';

export interface AccessLine {
  readonly requestId: string;
  readonly method: string;
  /** The path only: query strings may carry codes, tokens or challenges. */
  readonly path: string;
  readonly status: number;
}

/** One line per request. */
export function logAccess(logger: Logger, line: AccessLine, started: number): void {
  logger.info(
    {
      request_id: line.requestId,
      method: line.method,
      path: line.path,
      status: line.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    },
    'request',
  );
}
