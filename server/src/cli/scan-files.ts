import { lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/*
 * What `tessera scan` reads: files named, and files under directories named,
 * recursively, never following a symbolic link (no loops, nothing outside
 * the tree). `node_modules` and `.git` directories are skipped (dependencies
 * are not your leaks; git objects are compressed, so no token is visible in
 * them), so are binary files (a NUL byte in the first 8 KiB, as git and grep
 * decide) and files over MAX_BYTES.
 */

export const SKIPPED_DIRS: ReadonlySet<string> = new Set(['node_modules', '.git']);
const MAX_BYTES = 64 * 1024 * 1024;
const SNIFF_BYTES = 8192;

export type ScanInput = { readonly path: string; readonly text: string } | { readonly path: string; readonly skipped: string };

async function readText(path: string, size: number): Promise<ScanInput> {
  if (size > MAX_BYTES) return { path, skipped: `larger than ${MAX_BYTES / 1024 / 1024} MiB` };
  const handle = await open(path, 'r');
  try {
    const content = await handle.readFile();
    if (content.subarray(0, SNIFF_BYTES).includes(0)) return { path, skipped: 'binary' };
    return { path, text: content.toString('utf8') };
  } finally {
    await handle.close();
  }
}

/** Every file to scan under `paths`, in a stable order (directory entries sorted). */
export async function* scanInputs(paths: readonly string[]): AsyncGenerator<ScanInput> {
  for (const path of paths) yield* walk(path, true);
}

async function* walk(path: string, named: boolean): AsyncGenerator<ScanInput> {
  let info;
  try {
    info = await lstat(path);
  } catch (err) {
    yield { path, skipped: (err as NodeJS.ErrnoException).code ?? 'unreadable' };
    return;
  }
  if (info.isSymbolicLink()) {
    if (named) yield { path, skipped: 'symbolic link (name its target)' };
    return;
  }
  if (info.isFile()) {
    try {
      yield await readText(path, info.size);
    } catch (err) {
      yield { path, skipped: (err as NodeJS.ErrnoException).code ?? 'unreadable' };
    }
    return;
  }
  if (!info.isDirectory()) return;
  const entries = (await readdir(path)).sort();
  for (const entry of entries) {
    if (SKIPPED_DIRS.has(entry)) continue;
    yield* walk(join(path, entry), false);
  }
}
