import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';
import { callApi, ConnectionError, type Target } from './api.js';
import { CLIENT_COLUMNS, show, table, type Format, type Row } from './format.js';
import { assertClient } from './client-body.js';

/*
 * `tessera clients import FILE…` (Hydra's `hydra import oauth2-client`):
 * each file holds one client or an array of clients as JSON, in the admin
 * API's shape; `-` reads standard input. Every file is read and every client
 * checked against the contract before the first one is created; then each
 * is created in turn, a failure reported without stopping the rest (exit 1
 * if any failed). The created clients are printed, with their secrets.
 */

type Out = (line: string) => void;

function readSource(file: string): string {
  try {
    return file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${file}: ${(err as NodeJS.ErrnoException).code ?? 'cannot read'}`);
  }
}

/** The clients of every file, in order, each validated. */
export function readClients(files: readonly string[]): Array<{ readonly where: string; readonly client: Record<string, unknown> }> {
  const all: Array<{ where: string; client: Record<string, unknown> }> = [];
  for (const file of files) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readSource(file));
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`${file}: not JSON (${(err as Error).message})`);
    }
    const items = Array.isArray(parsed) ? parsed : [parsed];
    items.forEach((client, i) => {
      const where = Array.isArray(parsed) ? `${file}[${i}]` : file;
      if (typeof client !== 'object' || client === null || Array.isArray(client)) throw new UsageError(`${where}: a client is a JSON object`);
      assertClient(client, where);
      all.push({ where, client: client as Record<string, unknown> });
    });
  }
  return all;
}

export async function importClients(files: readonly string[], target: () => Target, format: Format, out: Out): Promise<number> {
  if (files.length === 0) throw new UsageError('clients import needs at least one FILE (or - for standard input)');
  const clients = readClients(files);
  const t = target();
  const created: unknown[] = [];
  let failed = 0;
  for (const { where, client } of clients) {
    try {
      created.push(await callApi(t, { method: 'POST', path: 'admin/clients', json: client }));
    } catch (err) {
      // Nobody answering is not this client's fault: stop, as for any other command.
      if (err instanceof ConnectionError) throw err;
      failed++;
      process.stderr.write(`${where}: ${(err as Error).message}\n`);
    }
  }
  show(format, created, () => table(created as Row[], CLIENT_COLUMNS, out), out);
  if (failed > 0) process.stderr.write(`imported ${created.length} of ${clients.length} clients; ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}
