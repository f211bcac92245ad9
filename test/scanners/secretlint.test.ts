import { expect } from 'chai';
import { lintSource } from '@secretlint/core';
import { creator } from '@tessera/secretlint-rule-tokens';
import { asKeys, expected, fixtureFiles, KIND_BY_CODE } from './fixtures.js';

/* The secretlint rule package, run by @secretlint/core itself over the shared fixtures. */

async function lint(name: string, text: string, options: Record<string, unknown> = {}) {
  const result = await lintSource({
    source: { filePath: `/fixtures/${name}`, content: text, contentType: 'text' },
    options: { config: { rules: [{ id: '@tessera/secretlint-rule-tokens', rule: creator, options }] } },
  });
  return result.messages;
}

describe('scanners: @tessera/secretlint-rule-tokens', () => {
  for (const { name, text } of fixtureFiles()) {
    it(`finds exactly the tokens of ${name}`, async () => {
      const messages = await lint(name, text);
      const found = messages.map((m) => {
        const token = text.slice(m.range[0], m.range[1]);
        return { kind: KIND_BY_CODE.get(token.slice(4, 6)) ?? '?', token };
      });
      expect(asKeys(found)).to.deep.equal(asKeys(expected[name] ?? []));
      for (const m of messages) {
        expect(m.ruleId).to.equal('@tessera/secretlint-rule-tokens');
        expect(m.messageId).to.equal('OAuthToken');
        // The message shows the prefix and 4 characters, never the token.
        expect(m.message).to.match(/ory_(at|rt|ac|dc)_[A-Za-z0-9_-]{4}…/);
        expect(m.message).not.to.include(text.slice(m.range[0], m.range[1]));
        expect(m.loc.start.line).to.be.a('number');
      }
    });
  }

  it('reports the line of each token', async () => {
    const { text } = fixtureFiles().find((f) => f.name === 'app.env') ?? { text: '' };
    const lines = (await lint('app.env', text)).map((m) => m.loc.start.line).sort();
    expect(lines).to.deep.equal((expected['app.env'] ?? []).map((e) => e.line).sort());
  });

  it('reports only the kinds asked for', async () => {
    const { text } = fixtureFiles().find((f) => f.name === 'plain.txt') ?? { text: '' };
    const messages = await lint('plain.txt', text, { kinds: ['refresh_token'] });
    expect(messages.map((m) => text.slice(m.range[0], m.range[0] + 7))).to.deep.equal(['ory_rt_']);
  });
});
