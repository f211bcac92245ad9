import { html, type Html } from './html.js';

/*
 * Times as people read them (issue 19: the demo page showed epoch seconds):
 * a date and clock time with its zone, and how far from now, inside a
 * <time> element whose datetime attribute keeps the exact instant.
 */

const ABSOLUTE = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'long' });
const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

const UNITS: ReadonlyArray<readonly [Intl.RelativeTimeFormatUnit, number]> = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];

/** "in 59 minutes", "3 hours ago", "now". */
export function relative(ms: number, now: number): string {
  const delta = ms - now;
  for (const [unit, size] of UNITS) {
    if (Math.abs(delta) >= size || unit === 'second') return RELATIVE.format(Math.round(delta / size), unit);
  }
  return RELATIVE.format(0, 'second');
}

/** `<time datetime="2026-12-02T02:23:11.000Z">2 Dec 2026, 02:23:11 UTC</time> (in 59 minutes)` */
export function when(ms: number, now = Date.now()): Html {
  const date = new Date(ms);
  return html`<time datetime="${date.toISOString()}">${ABSOLUTE.format(date)}</time> <span class="muted">(${relative(ms, now)})</span>`;
}

/** JWT and introspection time claims (RFC 7519 §4.1, OIDC Core §2), in seconds since the epoch. */
const TIME_CLAIMS: ReadonlyArray<readonly [claim: string, label: string]> = [
  ['auth_time', 'Signed in'],
  ['iat', 'Issued'],
  ['nbf', 'Not before'],
  ['exp', 'Expires'],
];

/** The time claims `claims` carries, readable; nothing when it carries none. */
export function timeClaims(claims: unknown, id: string): Html {
  if (typeof claims !== 'object' || claims === null) return html``;
  const rows = TIME_CLAIMS.filter(([claim]) => typeof (claims as Record<string, unknown>)[claim] === 'number');
  if (rows.length === 0) return html``;
  return html`<dl class="times" id="${id}">${rows.map(
    ([claim, label]) => html`<dt>${label} <code>${claim}</code></dt><dd>${when(((claims as Record<string, number>)[claim] ?? 0) * 1000)}</dd>`,
  )}</dl>`;
}
