import { handleDevice, type DeviceCodeProblem } from '@tessera/sdk';
import type { Context } from 'koa';
import { field, formOf } from '../http/form.js';
import { redirect, sendHtml } from '../http/respond.js';
import { deviceDonePage, devicePage } from '../views/device.js';
import { csrfFailure, type RouteDeps } from './deps.js';

/*
 * The device flow's pages (RFC 8628 §3.3). `urls.device.verification` points
 * at GET /device: a user who typed the short URL arrives without a
 * challenge and is sent to Tessera for one (the user code, if any, goes
 * along); Tessera sends them back with `device_challenge`.
 */

const MESSAGES: Readonly<Record<DeviceCodeProblem, string>> = {
  wrong: 'That code is not valid: it may be mistyped, expired or already used. Check the code on your device and try again.',
  throttled: 'Too many wrong codes were entered from your network. Wait a while, then try again.',
};

const challengeParam = (ctx: Context): string | undefined => {
  const value = ctx.query['device_challenge'];
  return typeof value === 'string' && value.length > 0 && value.length <= 256 ? value : undefined;
};
const queryCode = (ctx: Context): string | undefined => {
  const value = ctx.query['user_code'];
  return typeof value === 'string' && value.length <= 16 ? value : undefined;
};

function show(ctx: Context, deps: RouteDeps, challenge: string, userCode: string, error: string | undefined): void {
  const csrf = deps.csrf.issue(ctx, 'device', challenge);
  sendHtml(ctx, devicePage({ challenge, csrf, userCode, error }), error ? 400 : 200);
}

/** GET /device: the code page, pre-filled from `verification_uri_complete`. */
export async function getDevice(ctx: Context, deps: RouteDeps): Promise<void> {
  const challenge = challengeParam(ctx);
  const userCode = queryCode(ctx);
  if (challenge === undefined) {
    const url = new URL(`${deps.tesseraPublicUrl}/oauth2/device/verify`);
    if (userCode) url.searchParams.set('user_code', userCode);
    return redirect(ctx, url.href);
  }
  const step = await handleDevice(deps.admin, challenge, { prefill: userCode });
  if (step.redirectTo !== undefined) return redirect(ctx, step.redirectTo);
  show(ctx, deps, challenge, step.show.userCode, undefined);
}

/** POST /device: the code typed; on to login and consent, or the page again with what went wrong. */
export async function postDevice(ctx: Context, deps: RouteDeps): Promise<void> {
  const challenge = challengeParam(ctx);
  if (challenge === undefined) return redirect(ctx, `${deps.tesseraPublicUrl}/oauth2/device/verify`);
  const form = formOf(ctx);
  if (!deps.csrf.verify(ctx, 'device', challenge, field(form, 'csrf'))) throw csrfFailure();
  const typed = field(form, 'user_code');
  const step = await handleDevice(deps.admin, challenge, { userCode: typed }, (why) => MESSAGES[why]);
  if (step.redirectTo !== undefined) return redirect(ctx, step.redirectTo);
  show(ctx, deps, challenge, step.show.userCode, step.render ?? 'Enter the code shown on your device.');
}

/** GET /device/success (urls.device.success): done; the device gets its tokens at its next poll. */
export function getDeviceDone(ctx: Context): void {
  sendHtml(ctx, deviceDonePage());
}
