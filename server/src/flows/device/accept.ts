import type { AcceptDeviceUserCodeRequest } from '@tessera/sdk';
import { invalidRequest, notFound } from '../../errors/catalog.js';
import { OAuth2Error } from '../../errors/oauth2-error.js';
import { json } from '../../lib/result.js';
import { withParams } from '../../oauth2/authorize/redirect.js';
import { FlowGone, guarded } from '../lookup.js';
import { hashSecret, mintSecret } from '../secrets.js';
import { verifyUrl, type DeviceFlowDeps } from './deps.js';

/*
 * PUT /admin/oauth2/auth/requests/device/accept?device_challenge= {user_code}
 * (Hydra v25.4 acceptUserCodeRequest). The code is claimed once, in the same
 * transaction that hands the challenge its verifier; the answer sends the
 * browser to /oauth2/device/verify?device_verifier=…&client_id=…, where the
 * usual login and consent begin.
 *
 * Brute force (RFC 8628 §5.1): a user code has ~34.6 bits, so wrong entries
 * are capped per challenge (then the challenge is spent: 410, restart) and
 * per caller network over a window, counted in the database so every
 * process sees the same count; each wrong entry is logged.
 */

/** RFC 6585 §4, as clients/secret-guard.ts answers: 429 with Retry-After (the window, an upper bound). */
const throttled = (seconds: number) =>
  new OAuth2Error({
    error: 'too_many_requests',
    status: 429,
    description: 'Too many wrong user codes were entered from this network.',
    hint: `Try again in ${seconds} seconds.`,
    headers: { 'Retry-After': String(seconds) },
  });

export function deviceHandlers(deps: DeviceFlowDeps) {
  const restart = () => new FlowGone(verifyUrl(deps));
  return {
    accept: (challenge: string | undefined, body: AcceptDeviceUserCodeRequest) =>
      guarded(async () => {
        if (!challenge) throw invalidRequest('The device_challenge parameter is missing.');
        const id = hashSecret(challenge);
        const found = await deps.devices.findChallenge('challenge', id);
        if (!found) throw notFound('No request matches this device_challenge.');
        const now = deps.clock.now();
        if (found.state !== 'device_requested' || found.expiresAt <= now || found.failures >= deps.throttle.perChallenge) throw restart();
        const { perNetwork, window } = deps.throttle;
        if ((await deps.devices.failuresSince(found.network, now - window)) >= perNetwork) {
          deps.logger.warn({ event: 'device_user_code_throttled', network: found.network }, 'device user code entries refused: too many wrong codes from this network');
          throw throttled(Math.ceil(window / 1000));
        }
        const verifier = mintSecret();
        const request = await deps.devices.claim(id, deps.userCodes.candidates(body.user_code), verifier.hash, now);
        if (!request) {
          await deps.devices.recordFailure(id);
          // The network is stored hashed; the code itself is never logged.
          deps.logger.warn({ event: 'device_user_code_wrong', network: found.network, failures: found.failures + 1 }, 'wrong device user code');
          throw invalidRequest('The user_code is wrong, has expired or was already used.');
        }
        return json({ redirect_to: withParams(verifyUrl(deps), { device_verifier: verifier.value, client_id: request.clientId }) });
      }),
  };
}
