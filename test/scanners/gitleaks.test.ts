import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { parse } from 'smol-toml';
import { asKeys, expected, fixtureFiles, re2All } from './fixtures.js';

/*
 * scanners/gitleaks.toml. gitleaks itself is not installable here (no npm
 * or Debian package), so the file is parsed as TOML, as gitleaks reads it,
 * and each rule's regex runs under RE2 (re2-wasm; gitleaks uses Go's
 * regexp, which is RE2) with its secretGroup, over the shared fixtures.
 */

interface Rule {
  id: string;
  regex: string;
  secretGroup?: number;
  keywords: string[];
}

const config = parse(readFileSync(fileURLToPath(new URL('../../scanners/gitleaks.toml', import.meta.url)), 'utf8')) as unknown as { rules: Rule[]; extend?: { useDefault?: boolean } };
const KIND_BY_RULE = new Map([
  ['tessera-access-token', 'access_token'],
  ['tessera-refresh-token', 'refresh_token'],
  ['tessera-authorization-code', 'authorization_code'],
  ['tessera-device-code', 'device_code'],
]);

describe('scanners: gitleaks.toml (parsed as TOML, regexes run by RE2)', () => {
  it('has one rule per kind, each with its prefix as keyword, and extends the default rules', () => {
    expect(config.rules.map((r) => r.id).sort()).to.deep.equal([...KIND_BY_RULE.keys()].sort());
    for (const rule of config.rules) {
      expect(rule.keywords).to.have.length(1);
      expect(rule.regex).to.include(rule.keywords[0]);
      expect(rule.secretGroup).to.equal(1);
    }
    expect(config.extend?.useDefault).to.equal(true);
  });

  for (const { name, text } of fixtureFiles()) {
    it(`finds exactly the tokens of ${name}`, () => {
      const found = config.rules.flatMap((rule) => {
        // gitleaks runs a rule only on fragments holding one of its keywords (case-insensitive).
        if (!rule.keywords.some((k) => text.toLowerCase().includes(k.toLowerCase()))) return [];
        return re2All(rule.regex, text, rule.secretGroup ?? 0).map((token) => ({ kind: KIND_BY_RULE.get(rule.id) ?? '?', token }));
      });
      expect(asKeys(found)).to.deep.equal(asKeys(expected[name] ?? []));
    });
  }
});
