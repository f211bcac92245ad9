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
  readonly comm: string;
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
  return { ppid: num(1), ticks: num(11) + num(12), comm: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')) };
}

function allStats(): Map<number, Stat> {
  const stats = new Map<number, Stat>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat) stats.set(pid, stat);
  }
  return stats;
}

/**
 * The PostgreSQL servers on this machine (each postmaster: a `postgres`
 * process whose parent is not one); their backends are its descendants. The
 * bench reads their CPU beside the server's when TEST_PG_DSN is local.
 */
export function postgresPids(): number[] {
  const stats = allStats();
  return [...stats].filter(([, s]) => s.comm === 'postgres' && stats.get(s.ppid)?.comm !== 'postgres').map(([pid]) => pid);
}

function descendants(roots: readonly number[]): number[] {
  const parentOf = new Map([...allStats()].map(([pid, stat]) => [pid, stat.ppid]));
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
export function cpuSeconds(roots: readonly number[] | undefined): number {
  if (!roots?.length) return 0;
  let ticks = 0;
  for (const pid of descendants(roots)) ticks += readStat(pid)?.ticks ?? 0;
  return ticks / clockTicks();
}
