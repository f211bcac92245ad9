import { pathToFileURL } from 'node:url';
import { relative, isAbsolute } from 'node:path';
import type { Finding } from './scan.js';

/*
 * SARIF 2.1.0 (OASIS), the format code-scanning UIs (GitHub code scanning,
 * VS Code's SARIF viewer) read: one rule per token kind, one result per
 * finding at its file, line and column. An authentic token is an `error`,
 * one that cannot be checked (no secret) a `warning`, a forged look-alike a
 * `note`. The message shows the redacted token only; `partialFingerprints`
 * carries its SHA-256 so one token seen twice is one alert.
 */

const RULES = [
  ['access_token', 'Tessera access token (ory_at_)'],
  ['refresh_token', 'Tessera refresh token (ory_rt_)'],
  ['authorization_code', 'Tessera authorization code (ory_ac_)'],
  ['device_code', 'Tessera device code (ory_dc_)'],
] as const;

const LEVEL = { authentic: 'error', unverified: 'warning', forged: 'note' } as const;

function artifactUri(path: string, cwd: string): string {
  if (path === '<stdin>') return 'stdin';
  const rel = relative(cwd, path);
  // Relative to the working directory when inside it (as code scanning wants), else a file URL.
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : pathToFileURL(path).href;
}

export function toSarif(findings: readonly Finding[], version: string, cwd = process.cwd()): unknown {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'tessera scan',
            version,
            informationUri: 'https://datatracker.ietf.org/doc/html/rfc6749',
            rules: RULES.map(([id, name]) => ({
              id,
              name,
              shortDescription: { text: name },
              fullDescription: { text: `${name}: docs/token-format.md. Revoke a live one with tessera scan --report.` },
              defaultConfiguration: { level: 'error' },
            })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.kind,
          level: LEVEL[f.status],
          message: { text: `${f.status} ${f.kind} ${f.redacted}${f.outcome ? ` (${f.outcome})` : ''}` },
          locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(f.path, cwd) }, region: { startLine: f.line, startColumn: f.column } } }],
          partialFingerprints: { 'tokenHash/v1': f.tokenHash },
        })),
      },
    ],
  };
}
