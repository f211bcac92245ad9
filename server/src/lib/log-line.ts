/**
 * One pino JSON record → one line a person reads: local time, level, message,
 * then the record's own fields as key=value. For `--dev` and terminals only;
 * production keeps pino's JSON (one object a line, for log shippers).
 */
const LEVELS: ReadonlyMap<number, string> = new Map([
  [10, 'TRACE'],
  [20, 'DEBUG'],
  [30, 'INFO '],
  [40, 'WARN '],
  [50, 'ERROR'],
  [60, 'FATAL'],
]);

/** Fields every record carries, or that the line already shows. */
const SKIPPED = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname']);

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function localTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function value(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  // One line whatever the value: a nested object or an error's stack stays JSON-escaped.
  return JSON.stringify(v) ?? String(v);
}

export function formatLogLine(json: string): string {
  let record: unknown;
  try {
    record = JSON.parse(json);
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  if (typeof record !== 'object' || record === null) return `${json}\n`;
  const fields = record as Record<string, unknown>;
  const time = typeof fields['time'] === 'number' ? fields['time'] : Date.now();
  const level = LEVELS.get(Number(fields['level'])) ?? String(fields['level']);
  const parts = [localTime(time), level, typeof fields['msg'] === 'string' ? fields['msg'] : ''];
  for (const [key, v] of Object.entries(fields)) {
    if (!SKIPPED.has(key) && v !== undefined) parts.push(`${key}=${value(v)}`);
  }
  return `${parts.join(' ')}\n`;
}
