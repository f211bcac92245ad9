import type { TesseraAdmin } from './admin-client.js';
import { TesseraError } from './errors.js';
import type { FlowStep } from './flow-helpers.js';

/*
 * The device flow's code page (RFC 8628 §3.3), the part that is the same in
 * every login app: show the page, take the code, accept it through the admin
 * API, and tell the user what went wrong in words they can act on.
 */

export type DeviceAdmin = Pick<TesseraAdmin, 'acceptUserCodeRequest'>;

/** What the code page shows: the challenge to post back, and the code to pre-fill (from `verification_uri_complete`). */
export interface DeviceCodePage {
  readonly challenge: string;
  readonly userCode: string;
}

/** Why a code was not taken: wrong/expired/used, or too many wrong codes from the user's network. */
export type DeviceCodeProblem = 'wrong' | 'throttled';

/**
 * Handles `GET`/`POST /device?device_challenge=…` of a login app.
 *
 * Without a submitted code it returns `{ show }` (pre-filled with
 * `prefill`, e.g. the `user_code` query parameter). With one, it accepts it:
 * `{ redirectTo }` on success (login and consent follow as in the code flow),
 * `{ show, render: problem('wrong' | 'throttled') }` when the code was not
 * taken, and `{ redirectTo }` to Tessera's `/oauth2/device/verify` when the
 * challenge is spent (used, expired, or too many wrong codes: a fresh one
 * is issued there).
 *
 * Security reasoning:
 * - The code is checked by Tessera alone (hashed, single-use, throttled per
 *   challenge and per network); the app never learns which client a wrong
 *   code would have named.
 * - RFC 8628 §5.4 (remote phishing): the code page cannot tell the user which
 *   device they are connecting, so the consent page must (the consent
 *   request's `request_url` is `…/oauth2/device/verify`): "You are signing in
 *   to <client> on another device: only continue if you started this".
 * - The 410 `redirectTo` is Tessera's own URL from the admin API, never a
 *   value from the request.
 */
export async function handleDevice<View = undefined>(
  admin: DeviceAdmin,
  challenge: string,
  submitted: { readonly userCode?: string | undefined; readonly prefill?: string | undefined },
  problem?: (why: DeviceCodeProblem) => View,
): Promise<FlowStep<DeviceCodePage, View>> {
  const typed = submitted.userCode?.trim() ?? '';
  if (typed === '') return { show: { challenge, userCode: submitted.prefill ?? '' }, render: undefined };
  try {
    return { redirectTo: (await admin.acceptUserCodeRequest(challenge, { user_code: typed })).redirect_to };
  } catch (err) {
    if (!(err instanceof TesseraError)) throw err;
    if (err.status === 410 && err.redirectTo !== undefined) return { redirectTo: err.redirectTo };
    if (err.status === 400 || err.status === 429) return { show: { challenge, userCode: typed }, render: problem?.(err.status === 429 ? 'throttled' : 'wrong') };
    throw err;
  }
}
