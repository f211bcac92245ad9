import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Every process the harness starts goes through here, so that all of them
 * die with it: on a normal end, on an error, on Ctrl-C (SIGINT) or SIGTERM.
 * Each child leads its own process group (detached), and is killed as a
 * group, so whatever it forks (tsx, cluster workers) goes too.
 */
export interface Child {
  readonly name: string;
  readonly pid: number;
  /** The exit code, or the signal's name, once the process is gone. */
  readonly exited: Promise<number | string>;
  /** stdout as received so far. */
  stdout(): string;
  /** The last few KB of stderr, for error messages. */
  stderr(): string;
  /** SIGTERM to the group, SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

const live = new Set<Child>();
const TAIL = 16 * 1024;

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

export function startChild(name: string, command: string, args: readonly string[], options: StartOptions = {}): Child {
  const proc: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = proc.pid;
  if (pid === undefined) throw new Error(`${name}: could not start ${command}`);
  let out = '';
  let err = '';
  proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err = (err + chunk).slice(-TAIL)));
  const exited = new Promise<number | string>((resolve) => {
    proc.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  let gone = false;
  const child: Child = {
    name,
    pid,
    exited,
    stdout: () => out,
    stderr: () => err,
    async stop(graceMs = 5000) {
      if (gone) return;
      signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // The leader may go before the rest of its group.
      signalGroup(pid, 'SIGKILL');
    },
  };
  void exited.then(() => {
    gone = true;
    live.delete(child);
  });
  live.add(child);
  return child;
}

const cleanups = new Set<() => Promise<void>>();

/** Something to undo even when the run is interrupted (a temporary database); returns its unregister. */
export function registerCleanup(fn: () => Promise<void>): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** Stops every child, then runs the registered clean-ups (their databases are no longer in use). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((c) => c.stop(2000)));
  const pending = [...cleanups];
  cleanups.clear();
  await Promise.allSettled(pending.map((fn) => fn()));
}

/** Installs the handlers that take every child down with the harness. */
export function installCleanup(): void {
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: stopping every benchmark process…\n`);
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // Last resort: a synchronous kill of whatever is left when the harness exits.
  process.once('exit', () => {
    for (const c of live) signalGroup(c.pid, 'SIGKILL');
  });
}
