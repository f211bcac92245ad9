import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/*
 * WAL checkpoints off the event loop. A checkpoint copies the WAL's pages
 * into the database file and fsyncs it; SQLite's automatic checkpoint does
 * that inside whichever COMMIT crossed the threshold, blocking every request
 * for its duration (the benchmark's token issuance lost about half its wall
 * time per row to it). Here a worker thread with a connection of its own runs
 * PASSIVE checkpoints (they never wait for, nor block, readers and writers)
 * every few hundred milliseconds; the serving connection's own automatic
 * checkpoint stays on, at a higher threshold (storage/knex/connect.ts), as
 * the backstop should the worker fall behind or die. Durability is unchanged:
 * a commit is in the WAL before it is acknowledged, whoever checkpoints it.
 */

const EVERY_MS = 200;

/** The worker's whole program: small enough to read here, and it runs from dist/ and under tsx alike. */
const PROGRAM = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.filename, { fileMustExist: true });
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    // Busy (another process is checkpointing) or the file went away: the next round, or the backstop, will do.
  }
}, workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(filename: string): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(PROGRAM, { eval: true, workerData: { driver, filename, everyMs: EVERY_MS } });
  // Never what keeps a process alive; an error in it (the file is gone) leaves the backstop in charge.
  worker.unref();
  worker.on('error', () => undefined);
  let exited = false;
  worker.once('exit', () => (exited = true));
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        if (exited) return resolve();
        const timer = setTimeout(() => void worker.terminate().then(() => resolve()), 1000);
        worker.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        worker.postMessage('stop');
      });
      return stopped;
    },
  };
}
