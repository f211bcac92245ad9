import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { installCleanup, stopAll } from './lib/children.js';
import { describeRun } from './lib/environment.js';
import { parseOptions, type Options } from './lib/options.js';
import { summarizeProfiles } from './lib/profile.js';
import { measureAll } from './measure.js';
import { renderReport, type Measurement } from './report.js';
import { runScale } from './scale/run.js';
import { koaTarget, oidcProviderTarget } from './targets/simple.js';
import type { RunningTarget, TargetDef } from './targets/target.js';
import { REPO, tesseraTargets } from './targets/tessera.js';

/*
 * npm run bench [-- --quick] [-- --scale]: starts every target, measures
 * every operation at every connection count, prints a markdown report and
 * writes it to bench/results/latest.md. See bench/README.md.
 */

const log = (line: string) => process.stderr.write(`${line}\n`);

function selected(o: Options, profileDir: string | undefined): TargetDef[] {
  const all = [...tesseraTargets(process.env['TEST_PG_DSN'], profileDir), oidcProviderTarget, koaTarget];
  return o.targets.length ? all.filter((t) => o.targets.some((s) => t.name.includes(s))) : all;
}

async function startAll(defs: readonly TargetDef[], running: RunningTarget[], skipped: string[]): Promise<void> {
  for (const def of defs) {
    log(`starting ${def.name}`);
    const t = await def.start();
    if ('skipped' in t) {
      log(`  skipped: ${t.skipped}`);
      skipped.push(`**${def.name}**: ${t.skipped}`);
    } else {
      running.push(t);
    }
  }
}

async function main(): Promise<void> {
  installCleanup();
  const o = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const header = describeRun(o);
  const profileDir = o.cpuProf ? resolve(REPO, 'bench/results/profiles', new Date().toISOString().replace(/[:.]/g, '-')) : undefined;
  const running: RunningTarget[] = [];
  const skipped: string[] = [];
  let measurements: Measurement[] = [];
  try {
    await startAll(selected(o, profileDir), running, skipped);
    measurements = await measureAll(running, o, log);
  } finally {
    // Sequentially: Tessera writes its CPU profile while it shuts down.
    for (const t of running) await t.stop();
  }
  const extra = o.scale.length ? await runScale(o, log) : [];
  if (profileDir) extra.push(`## CPU profiles (${profileDir})`, '', ...summarizeProfiles(profileDir, REPO));
  const report = renderReport({ header, measurements, skipped, extra });
  const file = resolve(REPO, o.out);
  mkdirSync(dirname(file), { recursive: true });
  const seconds = Math.round((Date.now() - started) / 1000);
  writeFileSync(file, `${report}\n_Run took ${seconds} s._\n`);
  process.stdout.write(`${report}\n`);
  log(`written to ${file} (${seconds} s)`);
}

try {
  await main();
} catch (err) {
  log(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
} finally {
  await stopAll();
}
