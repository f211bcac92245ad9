import fc from 'fast-check';
import type { Leaf } from './strings.js';
import { PROTOTYPE_NAMES, text } from './strings.js';

/*
 * Header values: Content-Type variants and charset junk, Authorization junk
 * (Basic with NUL-carrying or non-UTF-8 credentials, Bearer with junk, huge
 * values), cookies, and odd extra headers. A value is a list of parts so a
 * fixture value (a real client id) can sit inside a Basic credential.
 */

/** A header value: literal text (Latin-1), a leaf, or base64 of the concatenated parts (a Basic credential). */
export type HeaderPart = { readonly lit: string } | { readonly leaf: Leaf } | { readonly b64: readonly HeaderPart[] };
export type Header = readonly [string, readonly HeaderPart[]];

const lit = (s: string): HeaderPart => ({ lit: s });

export const CONTENT_TYPES: readonly string[] = [
  'application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'application/json;charset="\u00ff"', 'APPLICATION/JSON',
  'application/jsonx', 'application/json-patch+json', 'application/merge-patch+json', 'application/vnd.api+json', 'text/json', 'text/plain',
  'text/plain; charset=utf-8', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=latin1',
  'application/x-www-form-urlencoded;;;', 'application/x-www-form-urlencodedx', '', ' ', ';', ';charset=utf-8', 'application/json, text/plain', '*/*',
  'application/octet-stream', 'application/x-www-form-urlencoded; charset=utf-8; charset=koi8-r', 'application/json; charset=', 'text/html',
];

const basicOf = (id: HeaderPart, secret: HeaderPart): readonly HeaderPart[] => [lit('Basic '), { b64: [id, lit(':'), secret] }];

const credential: fc.Arbitrary<HeaderPart> = fc.oneof(
  fc.constantFrom<HeaderPart>({ leaf: { ref: 'clientId' } }, { leaf: { ref: 'clientSecret' } }, { leaf: { ref: 'postClientId' } }, { leaf: { ref: 'publicClientId' } }),
  fc.constantFrom('\0', 'a\0b', '', '%00', '%zz', '%', ':', '\u00ff', '\u00e9t\u00e9').map(lit),
  text.map((leaf) => ({ leaf })),
);

const VALID: Readonly<Record<'basic' | 'bearer' | 'post', readonly HeaderPart[]>> = {
  basic: [lit('Basic '), { b64: [{ leaf: { ref: 'clientId' } }, lit(':'), { leaf: { ref: 'clientSecret' } }] }],
  post: [lit('Basic '), { b64: [{ leaf: { ref: 'postClientId' } }, lit(':'), { leaf: { ref: 'postClientSecret' } }] }],
  bearer: [lit('Bearer '), { leaf: { ref: 'accessToken' } }],
};

/** An Authorization value; `security` (the operation's scheme) makes its valid credentials likelier. */
export function authorization(security: 'basic' | 'bearer' | undefined): fc.Arbitrary<readonly HeaderPart[]> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(VALID.basic, VALID.post), weight: security === 'basic' ? 12 : 2 },
    { arbitrary: fc.constant(VALID.bearer), weight: security === 'bearer' ? 12 : 2 },
    { arbitrary: fc.tuple(credential, credential).map(([a, b]) => basicOf(a, b)), weight: 5 },
    { arbitrary: fc.tuple(credential, fc.constantFrom('', 'x')).map(([a, b]) => [lit('Basic '), { b64: [a, lit(b)] }]), weight: 1 },
    { arbitrary: fc.constantFrom('Basic', 'Basic ', 'Basic !!!', 'Basic ====', 'Basic YQ', 'basic YTpi', 'Bearer', 'Bearer ', 'bearer  x', 'Digest x', 'Bearer a b', 'Basic YTpi YTpi').map((s) => [lit(s)]), weight: 2 },
    { arbitrary: text.map((leaf) => [lit('Bearer '), { leaf }]), weight: 2 },
    { arbitrary: fc.constantFrom(8_000, 20_000).map((n) => [lit(`Bearer ${'A'.repeat(n)}`)]), weight: 1 },
  );
}

const cookie: fc.Arbitrary<readonly HeaderPart[]> = fc.oneof(
  fc.tuple(fc.constantFrom('tessera_browser', 'tessera_session', '__proto__', 'constructor'), text).map(([name, leaf]) => [lit(`${name}=`), { leaf }]),
  fc.constantFrom('tessera_browser=; tessera_session=', 'tessera_session=a; tessera_session=b', '=', ';;;', 'tessera_browser="\u00ff"').map((s) => [lit(s)]),
);

const extra: fc.Arbitrary<Header> = fc.oneof(
  fc.tuple(fc.constantFrom('X-Request-Id', 'Accept', 'Accept-Language', 'Origin', 'Referer', 'X-Forwarded-For', 'X-Forwarded-Proto', 'Host', 'Content-Encoding', 'Accept-Encoding', 'Expect', 'If-None-Match', 'Range'), text)
    .map(([name, leaf]): Header => [name, [{ leaf }]]),
  fc.constantFrom<Header>(['Content-Encoding', [lit('gzip')]], ['Content-Encoding', [lit('deflate')]], ['Content-Encoding', [lit('br')]], ['Host', [lit('evil.example')]],
    ['X-Request-Id', [lit('A'.repeat(10_000))]], ['Accept', [lit('text/html')]], ['Content-Language', [lit('\u00ff')]]),
  fc.constantFrom(...PROTOTYPE_NAMES.filter((n) => /^[a-z_]+$/i.test(n))).map((name): Header => [name, [lit('x')]]),
);

/** The headers of one request: Content-Type for its body (usually right), Authorization, Cookie, extras; any may repeat. */
export function headersFor(right: string | undefined, browser: boolean, security: 'basic' | 'bearer' | undefined): fc.Arbitrary<readonly Header[]> {
  const contentType = fc.oneof(
    { arbitrary: fc.constant(right === undefined ? [] : [['Content-Type', [lit(right)]] as Header]), weight: 15 },
    { arbitrary: fc.constant([] as Header[]), weight: 1 },
    { arbitrary: fc.constantFrom(...CONTENT_TYPES).map((s) => [['Content-Type', [lit(s)]] as Header]), weight: 2 },
    { arbitrary: text.map((leaf) => [['Content-Type', [{ leaf }]] as Header]), weight: 1 },
    { arbitrary: fc.constant([['Content-Type', [lit(right ?? 'text/plain')]], ['Content-Type', [lit('text/plain')]]] as Header[]), weight: 1 },
  );
  const one = authorization(security).map((v): Header[] => [['Authorization', v]]);
  const two = fc.tuple(authorization(security), authorization(security)).map(([a, b]): Header[] => [['Authorization', a], ['Authorization', b]]);
  const auth = fc.oneof({ arbitrary: fc.constant([] as Header[]), weight: security ? 2 : 6 }, { arbitrary: one, weight: 6 }, { arbitrary: two, weight: 1 });
  const cookieChoices: fc.WeightedArbitrary<Header[]>[] = [
    { arbitrary: fc.constant([]), weight: browser ? 1 : 5 },
    { arbitrary: cookie.map((v): Header[] => [['Cookie', v]]), weight: 1 },
  ];
  // The fixture's browser cookie (the login app's CSRF cookie), so a form with the right token gets through.
  if (browser) cookieChoices.push({ arbitrary: fc.constant([['Cookie', [{ leaf: { ref: 'appCookie' } }]]]), weight: 3 });
  const cookies = fc.oneof(...cookieChoices);
  const extras = fc.oneof({ arbitrary: fc.constant([] as Header[]), weight: 3 }, { arbitrary: fc.array(extra, { minLength: 1, maxLength: 2 }), weight: 1 });
  return fc.tuple(contentType, auth, cookies, extras).map(([a, b, c, d]) => [...a, ...b, ...c, ...d]);
}
