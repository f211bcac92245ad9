import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { Options } from './options.js';

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '?';
  }
}

function cpuModel(): string {
  try {
    return /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '?';
  } catch {
    return cpus()[0]?.model ?? '?';
  }
}

/** What a reader needs to judge the numbers: where, when, what, how long. */
export function describeRun(o: Options): string[] {
  const dirty = git(['status', '--porcelain', '--untracked-files=no']) ? ' (with uncommitted changes)' : '';
  return [
    `- ${new Date().toISOString()}, commit ${git(['rev-parse', '--short', 'HEAD'])}${dirty}, Node ${process.version}`,
    `- ${cpus().length} cores (${cpuModel()}), load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    `- mode ${o.quick ? 'quick' : 'full'}: ${o.connections.join('/')} connections, ${o.warmupSeconds} s warm-up, ${o.rounds} × ${o.seconds} s rounds (median), introspection pool ${o.introspectionPool} tokens`,
    '- every server and the load generator (autocannon; flows: our own driver) run in processes of their own on 127.0.0.1 and share the machine: compare ratios from one run, not absolute numbers across machines',
    '- server CPU: utime+stime from /proc/<pid>/stat around each round, % of one core; CPU µs / op is that time per completed request (or flow)',
  ];
}
