import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerCleanup, startChild } from '../lib/children.js';
import type { LoadSpec, RoundResult } from './spec.js';

const WORKERS = {
  http: fileURLToPath(new URL('./autocannon-worker.ts', import.meta.url)),
  flow: fileURLToPath(new URL('./flow-worker.ts', import.meta.url)),
} as const;

/** Runs one load spec in a process of its own (node + tsx), and returns its rounds. */
export async function runLoad(spec: LoadSpec): Promise<{ rounds: RoundResult[]; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-load-'));
  const remove = async () => rmSync(dir, { recursive: true, force: true });
  const unregister = registerCleanup(remove);
  try {
    const file = join(dir, 'spec.json');
    writeFileSync(file, JSON.stringify(spec));
    const child = startChild(`load (${spec.kind})`, process.execPath, ['--import', 'tsx', WORKERS[spec.kind], file], {
      env: { ...process.env, NODE_ENV: 'production' },
    });
    const code = await child.exited;
    const last = child.stdout().trim().split('\n').pop() ?? '';
    if (code !== 0 || !last.startsWith('[')) {
      throw new Error(`load process ended with ${code}: ${child.stderr().trim().slice(-800)}`);
    }
    return { rounds: JSON.parse(last) as RoundResult[], stderr: child.stderr().trim() };
  } finally {
    unregister();
    await remove();
  }
}
