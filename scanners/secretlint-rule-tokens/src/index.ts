import type { SecretLintRuleContext, SecretLintRuleCreator, SecretLintSourceCode } from '@secretlint/types';

/*
 * secretlint rule for Tessera's (and Ory Hydra's) opaque OAuth 2.0 tokens:
 * `ory_at_` access tokens, `ory_rt_` refresh tokens, `ory_ac_` authorization
 * codes and `ory_dc_` device codes. The grammar is Tessera's
 * docs/token-format.md: prefix, 43 base64url characters, ".", 43 base64url
 * characters, each part the canonical unpadded base64url of 32 bytes (so its
 * last character is one of [AEIMQUYcgkosw048]), not followed by another
 * base64url character. Nothing here can tell a live token from a forged
 * one: that takes the server's secret (`tessera scan`).
 */

export type TokenKind = 'access_token' | 'refresh_token' | 'authorization_code' | 'device_code';

export interface Options {
  /** Report only these kinds (default: all four). */
  readonly kinds?: readonly TokenKind[];
}

const KINDS: ReadonlyMap<string, TokenKind> = new Map([
  ['at', 'access_token'],
  ['rt', 'refresh_token'],
  ['ac', 'authorization_code'],
  ['dc', 'device_code'],
]);

const PART = '[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]';
/** The whole grammar, every kind; group 1 is the two-letter kind. */
export const TOKEN_PATTERN = new RegExp(`ory_(at|rt|ac|dc)_${PART}\\.${PART}(?![A-Za-z0-9_-])`, 'g');

const messages = {
  OAuthToken: {
    en: (props: { KIND: string; TOKEN: string }) => `found a Tessera/Ory ${props.KIND}: ${props.TOKEN} (revoke it: tessera scan --report)`,
  },
};

function scan(source: SecretLintSourceCode, context: SecretLintRuleContext, options: Options): void {
  const t = context.createTranslator(messages);
  const wanted = new Set(options.kinds ?? KINDS.values());
  for (const match of source.content.matchAll(TOKEN_PATTERN)) {
    const kind = KINDS.get(match[1] ?? '');
    if (kind === undefined || !wanted.has(kind)) continue;
    // Never the token itself in a message: its prefix and the first 4 body characters (issue-time bits) only.
    const shown = `${match[0].slice(0, 11)}…`;
    context.report({ message: t('OAuthToken', { KIND: kind, TOKEN: shown }), range: [match.index, match.index + match[0].length] });
  }
}

export const creator: SecretLintRuleCreator<Options> = {
  messages,
  meta: {
    id: '@tessera/secretlint-rule-tokens',
    recommended: true,
    type: 'scanner',
    supportedContentTypes: ['text'],
  },
  create(context, options) {
    return {
      file(source) {
        scan(source, context, options ?? {});
      },
    };
  },
};

export default creator;
