import { invalidRequest } from '../../../errors/catalog.js';

/*
 * What a browser-facing request may make us store. A new authorization or
 * end-session request is kept until it expires: its parameters one by one
 * and its whole URL (`request_url`, Hydra's field), so one 90 KB request
 * stored a 180 KB row (issue 12, class 10). Each parameter has a length
 * that covers every real use, and the whole request, form-urlencoded as it
 * is stored, at most `oauth2.authorization_request.max_bytes`. Both are
 * checked before anything is read from or written to the database.
 */

/** Characters per parameter. A Map: the names come from the request. */
const LIMITS: ReadonlyMap<string, number> = new Map([
  ['client_id', 255],
  ['response_type', 64],
  ['response_mode', 64],
  ['redirect_uri', 2048],
  ['post_logout_redirect_uri', 2048],
  ['scope', 2048],
  ['audience', 2048],
  ['state', 2048],
  ['nonce', 1024],
  ['code_challenge', 128],
  ['code_challenge_method', 64],
  ['prompt', 128],
  ['max_age', 64],
  ['display', 64],
  ['login_hint', 1024],
  ['acr_values', 1024],
  ['ui_locales', 256],
  ['id_token_hint', 4096],
]);

/** Refuses (400 invalid_request) a request with a parameter past its length, or larger than `maxBytes` as stored. */
export function checkRequestSize(params: Readonly<Record<string, string>>, maxBytes: number, what: string): void {
  for (const [name, value] of Object.entries(params)) {
    const limit = LIMITS.get(name);
    if (limit !== undefined && value.length > limit) throw invalidRequest(`${name} may be at most ${limit} characters long.`);
  }
  const size = Buffer.byteLength(new URLSearchParams(params).toString());
  if (size > maxBytes) {
    throw invalidRequest(`The ${what} is ${size} bytes long (form-urlencoded); at most ${maxBytes} are accepted (oauth2.authorization_request.max_bytes).`);
  }
}
