import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { TOKEN_PATTERN } from '@tessera/secretlint-rule-tokens';
import { findTokens, issuedAt, kindOf, lookupKeyOf, redact, TOKEN_PATTERN_SOURCE } from '../../server/src/tokens/leaks/grammar.js';
import { createTokenStrategy } from '../../server/src/tokens/hmac.js';
import { asKeys, expected, FIXTURE_SECRET, fixtureFiles, re2All } from './fixtures.js';

/*
 * docs/token-format.md is the grammar scanners rely on: its expressions, its
 * examples and its claims are checked here against the fixtures, the
 * server's own grammar (tokens/leaks/grammar.ts, used by `tessera scan`) and
 * tokens a strategy mints.
 */

const doc = readFileSync(fileURLToPath(new URL('../../docs/token-format.md', import.meta.url)), 'utf8');
const rows = [...doc.matchAll(/^\| (access token|refresh token|authorization code|device code) \| `(ory_.+)` \|$/gm)].map((m) => ({ kind: m[1] ?? '', source: m[2] ?? '' }));
const block = (after: string): string[] => {
  const m = new RegExp(`${after}[^\\n]*\\n\\n\`\`\`text\\n([\\s\\S]*?)\\n\`\`\``).exec(doc);
  return (m?.[1] ?? '').split('\n');
};
const trueExamples = block('These are tokens');
const falseExamples = block('These are not').map((line) => line.split(/\s{2,}/)[0] ?? '');

describe('docs/token-format.md', () => {
  it('gives one expression per kind, each the server grammar for that prefix', () => {
    expect(rows.map((r) => r.kind)).to.deep.equal(['access token', 'refresh token', 'authorization code', 'device code']);
    for (const { source } of rows) {
      expect(source).to.equal(TOKEN_PATTERN_SOURCE.replace('(at|rt|ac|dc)', source.slice(4, 6)));
    }
    expect(TOKEN_PATTERN.source).to.equal(TOKEN_PATTERN_SOURCE);
  });

  it('its RE2 form is accepted by RE2 and finds the examples', () => {
    const re2 = /match\n`(\(ory_at_.+\))`/.exec(doc)?.[1] ?? '';
    expect(re2All(re2, `${trueExamples[0]} x`, 1)).to.deep.equal([trueExamples[0]]);
  });

  it('every true example matches its kind, whole; no false example matches at all', () => {
    expect(trueExamples).to.have.length(4);
    for (const ex of trueExamples) expect(kindOf(ex), ex).to.be.a('string');
    expect(falseExamples).to.have.length(10);
    for (const ex of falseExamples) {
      expect(rows.some(({ source }) => new RegExp(source).test(ex)), ex).to.equal(false);
      expect(findTokens(ex), ex).to.deep.equal([]);
    }
  });

  it('the examples verify under the fixtures\' secret and not under another', () => {
    const fixtures = createTokenStrategy([FIXTURE_SECRET]);
    const other = createTokenStrategy(['another-secret-that-is-long-enough-0123456789']);
    for (const ex of trueExamples) {
      expect(lookupKeyOf(fixtures, ex), ex).to.be.a('string');
      expect(lookupKeyOf(other, ex), ex).to.equal(undefined);
    }
  });

  it('minted tokens match the grammar; their issue time reads back without the secret', () => {
    const strategy = createTokenStrategy(['a-secret-for-this-test-only-0123456789abcdef']);
    for (const kind of ['access_token', 'refresh_token', 'authorization_code'] as const) {
      for (let i = 0; i < 200; i++) {
        const before = Date.now();
        const { token } = strategy.mint(kind);
        expect(token).to.have.length(94);
        expect(kindOf(token), token).to.equal(kind);
        expect(issuedAt(token)).to.be.within(before, Date.now());
      }
    }
    expect(doc).to.include(String(issuedAt(trueExamples[0] ?? '')));
  });

  it('the server grammar finds exactly the fixtures\' tokens', () => {
    for (const { name, text } of fixtureFiles()) {
      expect(asKeys(findTokens(text)), name).to.deep.equal(asKeys(expected[name] ?? []));
    }
  });

  it('redacts to the prefix and 4 characters', () => {
    expect(redact(trueExamples[0] ?? '')).to.equal('ory_at_AaI0…');
  });
});
