import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/*
 * A summary of V8 CPU profiles (node --cpu-prof): self time by function and
 * by package, enough to see what dominates without opening DevTools.
 */

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Where a function lives: an npm package, a Tessera folder, node's own code, or V8. */
function owner(url: string): string {
  if (!url) return '(native / V8)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  const ours = /\/(server|sdk|migrations)\/dist\/(?:([^/]+)\/)?/.exec(url);
  if (ours) return `${ours[1]}/${ours[2] ?? ''}`;
  return url.startsWith('node:') ? 'node core' : url.replace(/^file:\/\//, '');
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}

function top(map: Map<string, number>, total: number, n: number): string[] {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, us]) => `| ${(100 * us / total).toFixed(1)}% | ${k.replace(/\|/g, '/')} |`);
}

/** Markdown for every .cpuprofile under dir (one per process). */
export function summarizeProfiles(dir: string, root: string): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return ['No profile was written.', ''];
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    const fns = new Map<string, number>();
    const pkgs = new Map<string, number>();
    let total = 0;
    profile.samples.forEach((id, i) => {
      const frame = byId.get(id);
      const us = profile.timeDeltas[i] ?? 0;
      if (!frame || frame.functionName === '(idle)') return;
      total += us;
      add(fns, `${frame.functionName || '(anonymous)'} ${frame.url ? `${relative(root, frame.url.replace(/^file:\/\//, ''))}:${frame.lineNumber + 1}` : ''}`, us);
      add(pkgs, owner(frame.url), us);
    });
    out.push(`### ${file} (${(total / 1e6).toFixed(1)} s busy)`, '', '| self | package or folder |', '| --- | --- |', ...top(pkgs, total, 12), '');
    out.push('| self | function |', '| --- | --- |', ...top(fns, total, 15), '');
  }
  return out;
}
