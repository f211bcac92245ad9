import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RE2 } from 're2-wasm';

/*
 * The fixtures every scanner is held to (scanners/fixtures/): files with
 * tokens in plain text, JSON, URLs, a .env file, minified JS and prose, and
 * a file of look-alikes. expected.json lists, per file, each token, its kind
 * and line. The tokens are signed with FIXTURE_SECRET, a throw-away secret no
 * server uses, so `tessera scan` can classify them too.
 */

export const FIXTURES = fileURLToPath(new URL('../../scanners/fixtures/', import.meta.url));
export const FIXTURE_SECRET = 'fixture-secret-for-scanner-tests-only-0123456789';

export interface Expected {
  readonly kind: 'access_token' | 'refresh_token' | 'authorization_code' | 'device_code';
  readonly line: number;
  readonly token: string;
}

export const expected = JSON.parse(readFileSync(`${FIXTURES}expected.json`, 'utf8')) as Record<string, Expected[]>;

/** Every fixture file (expected.json itself aside), with its text. */
export function fixtureFiles(): Array<{ name: string; text: string }> {
  return readdirSync(FIXTURES)
    .filter((name) => name !== 'expected.json')
    .sort()
    .map((name) => ({ name, text: readFileSync(`${FIXTURES}${name}`, 'utf8') }));
}

/** Found tokens as "kind token", sorted, for comparing with expected.json. */
export const asKeys = (found: ReadonlyArray<{ kind: string; token: string }>): string[] => found.map((f) => `${f.kind} ${f.token}`).sort();

/**
 * Runs an RE2 pattern (the engine of gitleaks' Go regexp and the family of
 * GitHub's patterns) over `text`: every match's group `group`. RE2 refuses
 * look-around, so a pattern that needs it fails here as it would there.
 */
export function re2All(pattern: string, text: string, group: number): string[] {
  const re = new RE2(pattern, 'gu');
  const out: string[] = [];
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push(m[group] ?? '');
    if (m[0] === '') re.lastIndex += 1;
  }
  return out;
}

export const KIND_BY_CODE = new Map<string, Expected['kind']>([
  ['at', 'access_token'],
  ['rt', 'refresh_token'],
  ['ac', 'authorization_code'],
  ['dc', 'device_code'],
]);
