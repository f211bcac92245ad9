/*
 * Preloaded (`node --import …/parent-watch.js`) into the processes that
 * `npm start` runs, so they end when the launcher ends, even if it was killed
 * with SIGKILL and could not stop them: an orphan is re-parented, and its
 * parent pid changes. SIGTERM lets each process shut down as it normally does.
 */
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
}, 500).unref();

export {};
