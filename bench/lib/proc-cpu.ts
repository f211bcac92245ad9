import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/*
 * Server CPU time from /proc/<pid>/stat (proc(5)): utime and stime, fields
 * 14 and 15, in clock ticks, summed over the process and its descendants
 * (cluster workers). Read before and after a measured window.
 */

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

interface Stat {
  readonly ppid: number;
  readonly ticks: number;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: parse after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const num = (i: number) => Number(fields[i] ?? 0);
  // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  return { ppid: num(1), ticks: num(11) + num(12) };
}

function descendants(roots: readonly number[]): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat) parentOf.set(pid, stat.ppid);
  }
  const tree = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parentOf) {
      if (!tree.has(pid) && tree.has(ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return [...tree];
}

/** CPU seconds used so far by these processes and their descendants. */
export function cpuSeconds(roots: readonly number[]): number {
  let ticks = 0;
  for (const pid of descendants(roots)) ticks += readStat(pid)?.ticks ?? 0;
  return ticks / clockTicks();
}
