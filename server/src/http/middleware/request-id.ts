import { randomUUID } from 'node:crypto';

/** Accept a caller's id when it is short and plain (it ends up in logs), else mint one. */
const ACCEPTABLE = /^[\w.:-]{1,128}$/;

export function requestIdFrom(given: string | string[] | undefined): string {
  return typeof given === 'string' && ACCEPTABLE.test(given) ? given : randomUUID();
}
