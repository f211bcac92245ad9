/** A Map: durations come from the admin API (client lifespans) as well as from configuration. */
const unitMs: ReadonlyMap<string, number> = new Map([
  ['ns', 1e-6],
  ['us', 1e-3],
  ['µs', 1e-3],
  ['ms', 1],
  ['s', 1000],
  ['m', 60_000],
  ['h', 3_600_000],
]);

const part = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;

/**
 * Parses a Go duration string ("1h", "30m", "1h30m", "500ms"), the format
 * Hydra uses for every TTL, into milliseconds. Returns undefined when the text
 * is not one.
 */
export function parseDuration(text: string): number | undefined {
  if (text === '' || text === '0') return text === '0' ? 0 : undefined;
  part.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let m = part.exec(text); m !== null; m = part.exec(text)) {
    total += Number(m[1]) * (unitMs.get(m[2] ?? '') ?? Number.NaN);
    consumed = part.lastIndex;
  }
  return consumed === text.length && Number.isFinite(total) ? Math.round(total) : undefined;
}
