import { renameSync, writeFileSync } from 'node:fs';
import { Gauge, Registry } from 'prom-client';

/*
 * `tessera janitor` is a batch job, not a server: nothing scrapes it while it
 * runs. Its numbers go to a file in the Prometheus text format for
 * node_exporter's textfile collector (the usual way for batch jobs), written
 * whole to a temporary name and renamed, so a scrape never reads half a file.
 */

export interface JanitorJobResult {
  /** The job's name as printed ("tokens", "login/consent requests"); a fixed set, so a bounded label. */
  readonly name: string;
  readonly removed: number;
  readonly seconds: number;
}

const label = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');

export async function janitorExposition(results: readonly JanitorJobResult[], finishedAtMs: number): Promise<string> {
  const registry = new Registry();
  const registers = [registry];
  const rows = new Gauge({ name: 'tessera_janitor_rows_deleted', help: 'Rows the last janitor run deleted, by kind', labelNames: ['kind'], registers });
  const took = new Gauge({ name: 'tessera_janitor_duration_seconds', help: 'How long the last janitor run took per kind', labelNames: ['kind'], registers });
  const last = new Gauge({ name: 'tessera_janitor_last_run_timestamp_seconds', help: 'When the last janitor run finished (Unix time)', registers });
  for (const r of results) {
    rows.inc({ kind: label(r.name) }, r.removed);
    took.inc({ kind: label(r.name) }, r.seconds);
  }
  last.set(finishedAtMs / 1000);
  return registry.metrics();
}

export async function writeJanitorMetrics(file: string, results: readonly JanitorJobResult[], finishedAtMs: number): Promise<void> {
  const text = await janitorExposition(results, finishedAtMs);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}
