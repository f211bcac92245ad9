/**
 * A bench process ends itself when the harness is gone (even a SIGKILLed
 * harness, which cannot clean up): its parent changes to init or a reaper.
 */
export function exitWithParent(): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(1);
  }, 500).unref();
}

export function portFromArgv(): number {
  const port = Number(process.argv[2]);
  if (!Number.isInteger(port) || port <= 0) throw new Error('usage: <server>.ts PORT');
  return port;
}
