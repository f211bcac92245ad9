import { setTimeout as sleep } from 'node:timers/promises';
import type { Child } from './children.js';

/**
 * Polls `ready` until it answers true, the child exits (→ its exit code), or
 * the deadline passes (→ an error). Bounded: start-up never hangs the run.
 */
export async function waitUntilReady(child: Child, ready: () => Promise<boolean>, timeoutMs = 30_000): Promise<{ exited: number | string } | undefined> {
  let exit: number | string | undefined;
  void child.exited.then((code) => (exit = code));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exit !== undefined) return { exited: exit };
    if (await ready().catch(() => false)) return undefined;
    await sleep(100);
  }
  throw new Error(`${child.name} was not ready after ${timeoutMs} ms: ${child.stderr().slice(-500)}`);
}
