import fc from 'fast-check';

/*
 * The strings the fuzzer puts in every slot (path, query, form, JSON, header).
 * A leaf is kept symbolic until a request is sent: text (JS string, which may
 * hold lone surrogates), raw bytes (which may be invalid UTF-8), or a
 * reference to a value of the fixture (a real client id, challenge, token), so
 * runs stay reproducible from their seed although the server makes the values.
 */

/** What the fixture provides (test/fuzz/fixture.ts). */
export const REFS = [
  'clientId', 'clientSecret', 'publicClientId', 'postClientId', 'postClientSecret', 'redirectUri', 'postLogoutRedirectUri',
  'loginChallenge', 'consentChallenge', 'logoutChallenge', 'code', 'codeVerifier', 'accessToken', 'refreshToken', 'idToken',
  'subject', 'sid', 'keySet', 'kid', 'consentRequestId', 'csrf', 'appCookie',
] as const;
export type Ref = (typeof REFS)[number];

/** `raw`: in a URL, bytes ≥ 0x80 and `%` go as they are instead of percent-encoded (so `%zz` stays `%zz`). */
export type Leaf = { readonly ref: Ref } | { readonly s: string; readonly raw?: true } | { readonly b: readonly number[]; readonly raw?: true };

/** Every Object.prototype member name, and the usual suspects around them. */
export const PROTOTYPE_NAMES: readonly string[] = [...Object.getOwnPropertyNames(Object.prototype), 'prototype', '__proto__'];

/** `%` sequences that are malformed, encode NUL, a lone surrogate, overlong or truncated UTF-8, or a traversal. */
export const PERCENT_SEQUENCES: readonly string[] = [
  '%', '%%', '%zz', '%0', '%g0', '%00', 'a%00b', '%2e%2e', '%2e%2e%2f%2e%2e', '..%2f..%2f', '%ED%A0%80', 'x%ED%BF%BFy', '%ED%A0%80%ED%B0%80',
  '%C0%AF', '%C0%80', '%FF', '%FE%FF', '%F0%9F%98', '%E2%82', '%80', '%u0000', '%2500', '%252e', '+%2B+', '%0d%0a', '%0A', '%20', '%7F',
];

export const LONG = 65_536;

/** Fixed hostile values: NUL, lone surrogates, control characters, 64 KB, injection-shaped text, numbers as text, odd URLs. */
export const SPECIAL_STRINGS: readonly string[] = [
  '', ' ', '\0', 'a\0b', '\0'.repeat(8), '\ud800', 'x\udfffy', '\udc00\ud800', '\ud83d', '\uFFFE\uFFFF', '\uFEFF', '\u2028\u2029', '\r\n', '\t', '\x7f', '\x1b[31m',
  'A'.repeat(LONG), 'é'.repeat(LONG / 2), '\0'.repeat(1024), '😀'.repeat(256), 'null', 'undefined', 'true', 'false', '0', '-1', '1e309', 'NaN', '9007199254740993',
  '{}', '[]', '{"a":1}', '"', "'", '\\', '<script>alert(1)</script>', "'; drop table clients; --", '../../../../etc/passwd', '/', '//', '.', '..',
  'https:///cb', 'http://127.0.0.1:99999/cb', 'http://127.0.0.1:0/cb', 'http://[::1]:65536/', 'http://user:pass@127.0.0.1/', 'javascript:alert(1)',
  'data:text/html,x', 'http://169.254.169.254/latest', 'https://example.com/cb#frag', 'http://localhost./cb', 'https://exämple.com/', 'urn:x', '*', '%s%n%x',
];

/** Byte sequences that are not UTF-8: continuation bytes alone, overlong forms, encoded surrogates, truncation, 0xFF. */
export const INVALID_UTF8: readonly (readonly number[])[] = [
  [0xff], [0x80], [0xc0, 0xaf], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0x61, 0xfe, 0x62], [0xf4, 0x90, 0x80, 0x80],
];

/** A JS string with lone surrogates mixed in. */
const surrogateText = fc
  .array(fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c))), { maxLength: 6 })
  .map((parts) => parts.join(''));

export const text: fc.Arbitrary<Leaf> = fc.oneof(
  { arbitrary: fc.constantFrom(...SPECIAL_STRINGS).map((s) => ({ s })), weight: 4 },
  { arbitrary: fc.constantFrom(...PROTOTYPE_NAMES).map((s) => ({ s })), weight: 3 },
  { arbitrary: fc.constantFrom(...PERCENT_SEQUENCES).map((s): Leaf => ({ s, raw: true })), weight: 2 },
  { arbitrary: fc.constantFrom(...INVALID_UTF8).map((b): Leaf => ({ b })), weight: 1 },
  { arbitrary: fc.constantFrom(...INVALID_UTF8).map((b): Leaf => ({ b, raw: true })), weight: 1 },
  { arbitrary: surrogateText.map((s) => ({ s })), weight: 1 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => ({ s })), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((s) => ({ s })), weight: 1 },
  { arbitrary: fc.uint8Array({ maxLength: 24 }).map((b): Leaf => ({ b: [...b] })), weight: 1 },
);

/** Values a parameter of this name legitimately takes, to get past the first check. */
export const KNOWN_VALUES: Readonly<Record<string, readonly string[]>> = {
  grant_type: ['authorization_code', 'refresh_token', 'client_credentials', 'authorization_code', 'refresh_token', 'client_credentials', 'password', 'implicit', 'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'urn:ietf:params:oauth:grant-type:token-exchange'],
  response_type: ['code', 'token', 'id_token', 'code id_token', 'none', 'code token id_token'],
  response_mode: ['query', 'fragment', 'form_post', 'query.jwt'],
  token_type_hint: ['access_token', 'refresh_token', 'id_token'],
  prompt: ['none', 'login', 'consent', 'select_account', 'login consent', 'none login'],
  code_challenge_method: ['S256', 'plain', 's256'],
  code_challenge: ['E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', 'short'],
  scope: ['openid', 'openid offline_access', 'offline_access email profile', 'openid  email'],
  display: ['page', 'popup'],
  max_age: ['0', '60', '-1', '1e3'],
  token_endpoint_auth_method: ['client_secret_basic', 'client_secret_post', 'none', 'private_key_jwt'],
  alg: ['RS256', 'ES256', 'HS256', 'none', 'EdDSA'],
  use: ['sig', 'enc'],
  all: ['true', 'false', '1'],
  page_size: ['1', '500', '501', '0', '-1', '1.5'],
  op: ['add', 'remove', 'replace', 'move', 'copy', 'test'],
  // The fixture's redirect URI bent: RFC 8252 loopback ports out of range, no host, another loopback name.
  redirect_uri: ['http://127.0.0.1:99999/callback', 'http://127.0.0.1:0/callback', 'http://127.0.0.1:65536/callback', 'http://[::1]:9999/callback', 'http://localhost:9999/callback', 'http://127.0.0.1/callback'],
  redirect_uris: ['https:///cb', 'http://127.0.0.1:99999/cb', 'http://127.0.0.1/cb', 'https://example.com/cb#f', 'http://[::1]/cb', 'urn:ietf:wg:oauth:2.0:oob'],
  post_logout_redirect_uri: ['http://127.0.0.1:99999/signed-out', 'http://127.0.0.1/signed-out'],
  backchannel_logout_uri: ['http://127.0.0.1:4445/admin/clients', 'http://169.254.169.254/', 'https:///x'],
  // The login-consent app's forms.
  email: ['alice@example.com', 'nobody@example.com'],
  password: ['correct horse battery', 'wrong password'],
  action: ['allow', 'deny', 'cancel', 'logout', 'stay'],
  remember: ['on', 'off'],
  grant_scope: ['openid', 'email', 'profile', 'offline_access'],
};

/** Which fixture values fit a slot of this name. */
export const REFS_BY_NAME: Readonly<Record<string, readonly Ref[]>> = {
  client_id: ['clientId', 'publicClientId', 'postClientId'],
  id: ['clientId', 'publicClientId'],
  client: ['clientId'],
  client_secret: ['clientSecret', 'postClientSecret'],
  redirect_uri: ['redirectUri'],
  post_logout_redirect_uri: ['postLogoutRedirectUri'],
  login_challenge: ['loginChallenge'],
  consent_challenge: ['consentChallenge'],
  logout_challenge: ['logoutChallenge'],
  challenge: ['loginChallenge', 'consentChallenge', 'logoutChallenge'],
  code: ['code'],
  code_verifier: ['codeVerifier'],
  token: ['accessToken', 'refreshToken', 'idToken'],
  refresh_token: ['refreshToken'],
  id_token_hint: ['idToken'],
  subject: ['subject'],
  sid: ['sid'],
  login_session_id: ['sid'],
  set: ['keySet'],
  kid: ['kid'],
  consent_request_id: ['consentRequestId'],
  csrf: ['csrf'],
};

/** A plausible value for the slot `name`: a fixture value, a value it legitimately takes, or plain text. */
export function sensibleFor(name: string): fc.Arbitrary<Leaf> {
  const choices: fc.Arbitrary<Leaf>[] = [];
  const known = KNOWN_VALUES[name];
  if (known) choices.push(fc.constantFrom(...known).map((s) => ({ s })));
  const refs = REFS_BY_NAME[name];
  if (refs) choices.push(fc.constantFrom(...refs).map((ref) => ({ ref })));
  if (choices.length === 0) choices.push(fc.stringMatching(/^[A-Za-z0-9._-]{8,24}$/).map((s) => ({ s })));
  return fc.oneof(...choices);
}

/** A string for the slot `name`: hostile half the time, else plausible so deeper code runs. */
export function valueFor(name: string): fc.Arbitrary<Leaf> {
  return fc.oneof({ arbitrary: text, weight: 1 }, { arbitrary: sensibleFor(name), weight: 1 }, { arbitrary: fc.constantFrom(...REFS).map((ref): Leaf => ({ ref })), weight: 1 });
}

/** UTF-8, except that lone surrogates are written as their 3-byte form (WTF-8), which UTF-8 forbids. */
export function wtf8(s: string): Buffer {
  if (!/[\ud800-\udfff]/.test(s)) return Buffer.from(s, 'utf8');
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const next = s.charCodeAt(i + 1);
    if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out.push(...Buffer.from(s.slice(i, i + 2), 'utf8'));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    } else {
      out.push(...Buffer.from(String.fromCharCode(c), 'utf8'));
    }
  }
  return Buffer.from(out);
}
