import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { asKeys, expected, fixtureFiles, KIND_BY_CODE, re2All } from './fixtures.js';

/*
 * scanners/github-custom-patterns.md: the settings are read from the page
 * itself and composed as GitHub composes a custom pattern, (?:before)(secret)(?:after),
 * then run under RE2 (no look-around, like GitHub's engine) over the shared fixtures.
 */

const page = readFileSync(fileURLToPath(new URL('../../scanners/github-custom-patterns.md', import.meta.url)), 'utf8');
const cell = (label: string): string => {
  const m = new RegExp(`^\\| ${label} \\| \`(.+)\` \\|$`, 'm').exec(page);
  if (!m?.[1]) throw new Error(`no "${label}" row in github-custom-patterns.md`);
  return m[1].replaceAll('\\|', '|');
};
const before = cell('Before secret');
const after = cell('After secret');
const formats = [...page.matchAll(/^\| Tessera [a-z ]+ \| `(ory_(at|rt|ac|dc)_.+)` \|$/gm)].map((m) => ({ format: m[1] ?? '', code: m[2] ?? '' }));

describe('scanners: GitHub custom patterns (as composed by GitHub, run by RE2)', () => {
  it('has one pattern per kind', () => {
    expect(formats.map((f) => f.code).sort()).to.deep.equal(['ac', 'at', 'dc', 'rt']);
  });

  for (const { name, text } of fixtureFiles()) {
    it(`finds exactly the tokens of ${name}`, () => {
      const found = formats.flatMap(({ format, code }) =>
        re2All(`(?:${before})(${format})(?:${after})`, text, 1).map((token) => ({ kind: KIND_BY_CODE.get(code) ?? '?', token })),
      );
      expect(asKeys(found)).to.deep.equal(asKeys(expected[name] ?? []));
    });
  }

  it('the test string on the page has exactly one match', () => {
    const sample = /\*\*Test string\*\*[\s\S]*?```\n(.+)\n```/.exec(page)?.[1] ?? '';
    const matches = formats.flatMap(({ format }) => re2All(`(?:${before})(${format})(?:${after})`, sample, 1));
    expect(matches).to.have.length(1);
  });
});
